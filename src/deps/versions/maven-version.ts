/**
 * Maven version order (org.apache.maven.artifact.versioning.ComparableVersion) and version ranges
 * (https://maven.apache.org/pom.html#dependency-version-requirement-specification). A plain `1.2.3` is a soft
 * requirement that Maven uses as is; `[1.0,2.0)` is a range whose lower bound is reported.
 */
import type { Lowest } from '../skip.js';

type Item =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'list'; readonly items: Item[] };

const qualifiers = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const releaseIndex = qualifiers.indexOf('');
const aliases: Readonly<Record<string, string>> = { ga: '', final: '', release: '', cr: 'rc' };

function comparableQualifier(value: string): string {
  const index = qualifiers.indexOf(value);
  // Unknown qualifiers sort after every known one, among themselves lexically (as Maven does with "7-<value>").
  return index >= 0 ? String(index) : `${qualifiers.length}-${value}`;
}

function stringItem(value: string, followedByDigit: boolean): Item {
  let text = value;
  if (followedByDigit && text.length === 1) text = text === 'a' ? 'alpha' : text === 'b' ? 'beta' : text === 'm' ? 'milestone' : text;
  return { kind: 'string', value: aliases[text] ?? text };
}

function isNull(item: Item): boolean {
  if (item.kind === 'int') return item.value === 0;
  if (item.kind === 'string') return comparableQualifier(item.value) === String(releaseIndex);
  return item.items.length === 0;
}

function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i];
    if (item === undefined) continue;
    if (isNull(item)) list.splice(i, 1);
    else if (item.kind !== 'list') break;
  }
}

/** Parses a Maven version into ComparableVersion's item tree. Never fails: every string is a Maven version. */
export function parseMavenVersion(version: string): Item {
  const text = version.trim().toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  let isDigit = false;
  let start = 0;
  const push = (token: string, followedByDigit: boolean): void => {
    if (isDigit) list.push({ kind: 'int', value: Number(token === '' ? 0 : token) });
    else list.push(stringItem(token, followedByDigit));
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '.') {
      if (i === start) list.push({ kind: 'int', value: 0 });
      else push(text.slice(start, i), false);
      start = i + 1;
    } else if (c === '-') {
      if (i === start) list.push({ kind: 'int', value: 0 });
      else push(text.slice(start, i), false);
      start = i + 1;
      const next: Item[] = [];
      list.push({ kind: 'list', items: next });
      list = next;
      stack.push(next);
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        list.push(stringItem(text.slice(start, i), true));
        start = i;
        const next: Item[] = [];
        list.push({ kind: 'list', items: next });
        list = next;
        stack.push(next);
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        push(text.slice(start, i), false);
        start = i;
        const next: Item[] = [];
        list.push({ kind: 'list', items: next });
        list = next;
        stack.push(next);
      }
      isDigit = false;
    }
  }
  if (text.length > start) push(text.slice(start), false);
  for (let i = stack.length - 1; i >= 0; i--) {
    const items = stack[i];
    if (items) normalize(items);
  }
  return { kind: 'list', items: root };
}

function compareItems(a: Item | undefined, b: Item | undefined): number {
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return b === undefined ? 0 : -compareItems(b, undefined);
  if (b === undefined) {
    if (a.kind === 'int') return a.value === 0 ? 0 : 1;
    if (a.kind === 'string') return compareStrings(comparableQualifier(a.value), String(releaseIndex));
    const first = a.items[0];
    return first === undefined ? 0 : compareItems(first, undefined);
  }
  if (a.kind === 'int') {
    if (b.kind === 'int') return Math.sign(a.value - b.value);
    return 1;
  }
  if (a.kind === 'string') {
    if (b.kind === 'int') return -1;
    if (b.kind === 'string') return compareStrings(comparableQualifier(a.value), comparableQualifier(b.value));
    return -1;
  }
  if (b.kind === 'int') return -1;
  if (b.kind === 'string') return 1;
  const length = Math.max(a.items.length, b.items.length);
  for (let i = 0; i < length; i++) {
    const order = compareItems(a.items[i], b.items[i]);
    if (order !== 0) return order;
  }
  return 0;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareMavenVersions(a: string, b: string): number {
  return compareItems(parseMavenVersion(a), parseMavenVersion(b));
}

/** A plausible Maven version: starts with a digit, no spaces, no range or property syntax. */
export function isMavenVersion(text: string): boolean {
  return /^\d[0-9A-Za-z._+-]*$/.test(text.trim());
}

/**
 * The lowest version a Maven (or Gradle) version requirement allows. A soft requirement (`1.2.3`) is exact. Ranges
 * (`[1.0,2.0)`, `[1.0]`, unions `[1.0,1.2),[1.5,)`) give the lowest inclusive lower bound; LATEST and RELEASE are
 * dynamic.
 */
export function lowestMaven(spec: string): Lowest {
  const text = spec.trim();
  if (text === '') return { kind: 'skip', skip: 'unpinned' };
  if (text === 'LATEST' || text === 'RELEASE') return { kind: 'skip', skip: 'dynamic-version' };
  if (!/^[[(]/.test(text)) return isMavenVersion(text) ? { kind: 'exact', version: text } : { kind: 'skip', skip: 'invalid-version' };
  if (!/^[[(][^[\]()]*[\])](?:\s*,\s*[[(][^[\]()]*[\])])*$/.test(text)) return { kind: 'skip', skip: 'invalid-version' };
  const ranges = [...text.matchAll(/([[(])([^[\]()]*)([\])])/g)];
  let best: Lowest | null = null;
  let bestVersion: string | null = null;
  for (const range of ranges) {
    const open = range[1];
    const body = range[2] ?? '';
    const close = range[3];
    const comma = body.indexOf(',');
    if (comma < 0) {
      const exact = body.trim();
      if (open !== '[' || close !== ']' || !isMavenVersion(exact)) return { kind: 'skip', skip: 'invalid-version' };
      const candidate: Lowest = { kind: 'exact', version: exact };
      if (bestVersion === null || compareMavenVersions(exact, bestVersion) < 0) {
        best = candidate;
        bestVersion = exact;
      }
      continue;
    }
    const low = body.slice(0, comma).trim();
    const high = body.slice(comma + 1).trim();
    if ((low !== '' && !isMavenVersion(low)) || (high !== '' && !isMavenVersion(high))) return { kind: 'skip', skip: 'invalid-version' };
    if (low === '') return { kind: 'skip', skip: 'no-lower-bound' };
    if (high !== '') {
      const order = compareMavenVersions(low, high);
      if (order > 0 || (order === 0 && (open === '(' || close === ')'))) continue;
    }
    const candidate: Lowest = open === '(' ? { kind: 'skip', skip: 'exclusive-lower-bound' } : { kind: 'range', version: low };
    if (bestVersion === null || compareMavenVersions(low, bestVersion) < 0) {
      best = candidate;
      bestVersion = low;
    }
  }
  return best ?? { kind: 'skip', skip: 'unsatisfiable-range' };
}
