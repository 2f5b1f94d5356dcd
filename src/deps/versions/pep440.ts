import type { Lowest } from '../skip.js';

/**
 * PEP 440 versions and specifiers (https://peps.python.org/pep-0440/), as far as pod2wi needs them: parse, compare,
 * test a version against a specifier set, and find the lowest version a specifier set allows.
 */

/** A parsed PEP 440 version. `release` keeps the numbers as written; comparison ignores trailing zeros. */
export interface Pep440Version {
  readonly epoch: number;
  readonly release: readonly number[];
  readonly pre: readonly [letter: 'a' | 'b' | 'rc', number: number] | null;
  readonly post: number | null;
  readonly dev: number | null;
  readonly local: readonly (string | number)[] | null;
}

// The regular expression of PEP 440's appendix ("VERSION_PATTERN"), anchored and case-insensitive.
const versionPattern = new RegExp(
  '^\\s*v?' +
    '(?:(?<epoch>[0-9]+)!)?' +
    '(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?<pre>[-_.]?(?<preL>alpha|beta|preview|pre|a|b|c|rc)[-_.]?(?<preN>[0-9]+)?)?' +
    '(?<post>(?:-(?<postN1>[0-9]+))|(?:[-_.]?(?<postL>post|rev|r)[-_.]?(?<postN2>[0-9]+)?))?' +
    '(?<dev>[-_.]?(?<devL>dev)[-_.]?(?<devN>[0-9]+)?)?' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\\s*$',
  'i',
);

export function parsePep440(text: string): Pep440Version | null {
  const match = versionPattern.exec(text);
  const groups = match?.groups;
  if (!groups) return null;
  const preLetter = groups.preL?.toLowerCase();
  const pre: Pep440Version['pre'] = preLetter
    ? [preLetter === 'alpha' || preLetter === 'a' ? 'a' : preLetter === 'beta' || preLetter === 'b' ? 'b' : 'rc', Number(groups.preN ?? 0)]
    : null;
  const post = groups.post ? Number(groups.postN1 ?? groups.postN2 ?? 0) : null;
  const dev = groups.dev ? Number(groups.devN ?? 0) : null;
  const local = groups.local
    ? groups.local.toLowerCase().split(/[-_.]/).map((part) => (/^[0-9]+$/.test(part) ? Number(part) : part))
    : null;
  return {
    epoch: Number(groups.epoch ?? 0),
    release: (groups.release ?? '0').split('.').map(Number),
    pre,
    post,
    dev,
    local,
  };
}

export function isPep440Version(text: string): boolean {
  return parsePep440(text) !== null;
}

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareRelease(a: readonly number[], b: readonly number[]): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const order = compareNumbers(a[i] ?? 0, b[i] ?? 0);
    if (order !== 0) return order;
  }
  return 0;
}

const preRank = { a: 0, b: 1, rc: 2 } as const;

// Per packaging's _cmpkey: a dev release without pre or post sorts before every pre-release of that release;
// no pre-release sorts after all of them; no post sorts before any post; no dev sorts after any dev.
function preKey(version: Pep440Version): [number, number] {
  if (version.pre === null && version.post === null && version.dev !== null) return [-1, 0];
  if (version.pre === null) return [3, 0];
  return [preRank[version.pre[0]], version.pre[1]];
}

function compareLocal(a: Pep440Version['local'], b: Pep440Version['local']): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    if (typeof x === 'number' && typeof y === 'number') {
      if (x !== y) return compareNumbers(x, y);
    } else if (typeof x === 'number' || typeof y === 'number') {
      return typeof x === 'number' ? 1 : -1; // numeric segments sort after alphanumeric ones
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

export function comparePep440(a: Pep440Version, b: Pep440Version): number {
  return (
    compareNumbers(a.epoch, b.epoch) ||
    compareRelease(a.release, b.release) ||
    compareNumbers(preKey(a)[0], preKey(b)[0]) ||
    compareNumbers(preKey(a)[1], preKey(b)[1]) ||
    compareNumbers(a.post ?? -1, b.post ?? -1) ||
    compareNumbers(a.dev ?? Number.POSITIVE_INFINITY, b.dev ?? Number.POSITIVE_INFINITY) ||
    compareLocal(a.local, b.local)
  );
}

/** Compares two version strings; null when either is not a PEP 440 version. */
export function comparePep440Text(a: string, b: string): number | null {
  const x = parsePep440(a);
  const y = parsePep440(b);
  return x && y ? comparePep440(x, y) : null;
}

/** The comparison operators of PEP 440 version specifiers. */
export type Pep440Operator = '===' | '==' | '!=' | '~=' | '>=' | '<=' | '>' | '<';

/** One clause of a specifier set, such as `>=1.13` or `==1.2.*`. */
export interface Pep440Clause {
  readonly operator: Pep440Operator;
  /** The version as written, without a trailing `.*`. */
  readonly version: string;
  readonly wildcard: boolean;
}

/** Parses `>=1.13,<2` (commas, optional spaces). Returns null when a clause is not valid PEP 440. */
export function parseSpecifierSet(text: string): Pep440Clause[] | null {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const clauses: Pep440Clause[] = [];
  for (const raw of trimmed.split(',')) {
    const match = /^\s*(===|==|!=|~=|>=|<=|>|<)\s*(\S+?)\s*$/.exec(raw);
    if (!match) return null;
    const operator = match[1] as Pep440Operator;
    let version = match[2] ?? '';
    const wildcard = version.endsWith('.*');
    if (wildcard) {
      if (operator !== '==' && operator !== '!=') return null;
      version = version.slice(0, -2);
    }
    if (operator !== '===' && !isPep440Version(version)) return null;
    if (operator === '~=' && (parsePep440(version)?.release.length ?? 0) < 2) return null;
    clauses.push({ operator, version, wildcard });
  }
  return clauses;
}

function prefixMatches(version: Pep440Version, prefix: Pep440Version): boolean {
  if (version.epoch !== prefix.epoch) return false;
  // `==1.2.*` matches 1.2, 1.2.0, 1.2.5 and their pre/post/dev releases: compare the release padded with zeros.
  for (let i = 0; i < prefix.release.length; i++) if ((version.release[i] ?? 0) !== (prefix.release[i] ?? 0)) return false;
  return true;
}

/** Does `version` satisfy one clause? Pre-releases are allowed (pod2wi asks about versions it already saw). */
export function clauseContains(clause: Pep440Clause, versionText: string): boolean {
  if (clause.operator === '===') return clause.version.toLowerCase() === versionText.trim().toLowerCase();
  const version = parsePep440(versionText);
  const bound = parsePep440(clause.version);
  if (!version || !bound) return false;
  const withoutLocal = { ...version, local: null };
  const order = comparePep440(clause.wildcard ? version : bound.local === null ? withoutLocal : version, bound);
  switch (clause.operator) {
    case '==':
      return clause.wildcard ? prefixMatches(version, bound) : order === 0;
    case '!=':
      return clause.wildcard ? !prefixMatches(version, bound) : order !== 0;
    case '>=':
      return comparePep440(withoutLocal, bound) >= 0;
    case '<=':
      return comparePep440(withoutLocal, bound) <= 0;
    case '>':
      // `>V` excludes post-releases of V (unless V is one) and local versions of V.
      if (comparePep440(withoutLocal, bound) <= 0) return false;
      if (bound.post === null && version.post !== null && compareRelease(version.release, bound.release) === 0 && version.epoch === bound.epoch && version.pre === null && bound.pre === null) return false;
      return true;
    case '<':
      // `<V` excludes pre-releases of V unless V is itself a pre-release.
      if (comparePep440(withoutLocal, bound) >= 0) return false;
      if (bound.pre === null && bound.dev === null && version.pre !== null && compareRelease(version.release, bound.release) === 0 && version.epoch === bound.epoch) return false;
      return true;
    case '~=': {
      if (comparePep440(withoutLocal, bound) < 0) return false;
      const prefix: Pep440Version = { epoch: bound.epoch, release: bound.release.slice(0, -1), pre: null, post: null, dev: null, local: null };
      return prefixMatches(version, prefix);
    }
  }
}

export function specifierSetContains(clauses: readonly Pep440Clause[], version: string): boolean {
  return clauses.every((clause) => clauseContains(clause, version));
}

/**
 * The lowest version a specifier set allows. `==X` and `===X` are exact; otherwise the highest inclusive lower
 * bound (`>=X`, `~=X`, `==X.*`) is the answer when every other clause allows it. `>X` has no lowest concrete
 * release in PEP 440 (X.post1, X.0.1 and X.1 all qualify), so it is `exclusive-lower-bound`; so is an inclusive
 * bound that a `!=` excludes.
 */
export function lowestAllowed(clauses: readonly Pep440Clause[]): Lowest {
  if (clauses.length === 0) return { kind: 'skip', skip: 'unpinned' };
  const arbitrary = clauses.find((clause) => clause.operator === '===');
  if (arbitrary) return { kind: 'exact', version: arbitrary.version };
  const exact = clauses.find((clause) => clause.operator === '==' && !clause.wildcard);
  if (exact) {
    return specifierSetContains(clauses, exact.version) ? { kind: 'exact', version: exact.version } : { kind: 'skip', skip: 'unsatisfiable-range' };
  }
  let best: { version: string; parsed: Pep440Version; exclusive: boolean } | null = null;
  for (const clause of clauses) {
    const inclusive = clause.operator === '>=' || clause.operator === '~=' || (clause.operator === '==' && clause.wildcard);
    if (!inclusive && clause.operator !== '>') continue;
    const parsed = parsePep440(clause.version);
    if (!parsed) return { kind: 'skip', skip: 'invalid-version' };
    const order = best ? comparePep440(parsed, best.parsed) : 1;
    if (order > 0 || (order === 0 && !inclusive)) best = { version: clause.version, parsed, exclusive: !inclusive };
  }
  if (!best) return { kind: 'skip', skip: 'no-lower-bound' };
  if (best.exclusive) return { kind: 'skip', skip: 'exclusive-lower-bound' };
  const candidate = best.version;
  const failing = clauses.filter((clause) => !clauseContains(clause, candidate));
  if (failing.length === 0) return { kind: 'range', version: candidate };
  return failing.every((clause) => clause.operator === '!=')
    ? { kind: 'skip', skip: 'exclusive-lower-bound' }
    : { kind: 'skip', skip: 'unsatisfiable-range' };
}

/** PEP 503 name normalisation: lower case, runs of `-`, `_` and `.` become one `-`. */
export function normalizePypiName(name: string): string {
  return name.trim().toLowerCase().replace(/[-_.]+/g, '-');
}
