/**
 * NuGet versions and version ranges (https://learn.microsoft.com/nuget/concepts/package-versioning): up to four
 * numeric parts plus a SemVer 2 pre-release label. A bare `1.2.0` in a PackageReference means "1.2.0 or higher",
 * and NuGet restores the lowest version that satisfies the range, so the lower bound is what an app runs when the
 * feed has it.
 */
import type { Lowest } from '../skip.js';

/** A parsed NuGet version: one to four numeric parts and the pre-release identifiers. */
export interface NugetVersion {
  readonly parts: readonly number[];
  readonly prerelease: readonly string[];
}

const versionPattern = /^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?\s*$/;

export function parseNugetVersion(text: string): NugetVersion | null {
  const match = versionPattern.exec(text);
  if (!match) return null;
  const parts = [match[1], match[2], match[3], match[4]].filter((part): part is string => part !== undefined).map(Number);
  return { parts, prerelease: match[5] ? match[5].split('.') : [] };
}

/** NuGet's normalised form: at least three parts, a fourth only when it is not zero, pre-release kept. */
export function normalizeNugetVersion(text: string): string | null {
  const version = parseNugetVersion(text);
  if (!version) return null;
  const parts = [...version.parts];
  while (parts.length < 3) parts.push(0);
  if (parts.length === 4 && parts[3] === 0) parts.pop();
  return parts.join('.') + (version.prerelease.length ? `-${version.prerelease.join('.')}` : '');
}

function compareIdentifiers(a: string, b: string): number {
  const numericA = /^\d+$/.test(a);
  const numericB = /^\d+$/.test(b);
  if (numericA && numericB) return Math.sign(Number(a) - Number(b));
  if (numericA !== numericB) return numericA ? -1 : 1;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export function compareNugetVersions(a: NugetVersion, b: NugetVersion): number {
  for (let i = 0; i < 4; i++) {
    const order = Math.sign((a.parts[i] ?? 0) - (b.parts[i] ?? 0));
    if (order !== 0) return order;
  }
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return Math.sign(b.prerelease.length - a.prerelease.length);
  const length = Math.max(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < length; i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    const order = compareIdentifiers(x, y);
    if (order !== 0) return order;
  }
  return 0;
}

export function compareNugetText(a: string, b: string): number | null {
  const x = parseNugetVersion(a);
  const y = parseNugetVersion(b);
  return x && y ? compareNugetVersions(x, y) : null;
}

/**
 * The lowest version a NuGet version string allows: `[1.2.0]` is exact; `1.2.0`, `[1.2,2.0)` and floating `1.2.*`
 * are ranges whose lower bound is reported (normalised); `(1.2,2.0)` excludes its lower bound; `(,2.0]` and `*` have
 * none. A floating pre-release (`1.2.0-*`) restores the newest pre-release at restore time: `dynamic-version`.
 */
export function lowestNuget(spec: string): Lowest {
  const text = spec.trim();
  if (text === '') return { kind: 'skip', skip: 'unpinned' };
  if (text === '*' || text === '*-*') return { kind: 'skip', skip: 'no-lower-bound' };
  if (/^[[(]/.test(text)) {
    const match = /^([[(])\s*([^,\])]*?)\s*(?:,\s*([^\])]*?)\s*)?([\])])$/.exec(text);
    if (!match) return { kind: 'skip', skip: 'invalid-version' };
    const open = match[1];
    const low = match[2] ?? '';
    const hasComma = match[3] !== undefined;
    const high = match[3] ?? '';
    const close = match[4];
    if (!hasComma) {
      // `[1.2.0]` is the only form without a comma.
      if (open !== '[' || close !== ']') return { kind: 'skip', skip: 'invalid-version' };
      const exact = normalizeNugetVersion(low);
      return exact ? { kind: 'exact', version: exact } : { kind: 'skip', skip: 'invalid-version' };
    }
    if (low === '') return high === '' || parseNugetVersion(high) ? { kind: 'skip', skip: 'no-lower-bound' } : { kind: 'skip', skip: 'invalid-version' };
    const lowVersion = normalizeNugetVersion(low);
    if (!lowVersion) return { kind: 'skip', skip: 'invalid-version' };
    if (high !== '') {
      const order = compareNugetText(low, high);
      if (order === null) return { kind: 'skip', skip: 'invalid-version' };
      if (order > 0 || (order === 0 && (open === '(' || close === ')'))) return { kind: 'skip', skip: 'unsatisfiable-range' };
    }
    return open === '(' ? { kind: 'skip', skip: 'exclusive-lower-bound' } : { kind: 'range', version: lowVersion };
  }
  if (text.includes('*')) {
    const prerelease = /^(\d+(?:\.\d+){0,3})-[0-9A-Za-z.-]*\*$/.exec(text);
    if (prerelease) return { kind: 'skip', skip: 'dynamic-version' };
    const floating = /^(\d+(?:\.\d+){0,2})\.\*$/.exec(text);
    if (!floating?.[1]) return { kind: 'skip', skip: 'invalid-version' };
    const lowest = normalizeNugetVersion(floating[1]);
    return lowest ? { kind: 'range', version: lowest } : { kind: 'skip', skip: 'invalid-version' };
  }
  const lowest = normalizeNugetVersion(text);
  return lowest ? { kind: 'range', version: lowest } : { kind: 'skip', skip: 'invalid-version' };
}
