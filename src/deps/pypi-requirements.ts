/**
 * Python requirement syntax: PEP 508 requirement strings (`azure-identity[aio]>=1.13,<2 ; python_version>="3.8"`),
 * pip requirements files (https://pip.pypa.io/en/stable/reference/requirements-file-format/: continuation lines,
 * comments, `-r`/`-c` includes, per-requirement `--hash` options, editable and URL requirements), and Poetry version
 * constraints (`^1.13`, `~1.13.0`, `1.13.0`). Hand-written line parsers: these formats have no library worth a
 * dependency, and the exact line of each requirement is needed.
 */
import type { Lowest, SkipReason } from './skip.js';
import { comparePep440Text, lowestAllowed, normalizePypiName, parseSpecifierSet, type Pep440Clause } from './versions/pep440.js';

/** A parsed PEP 508 requirement (or a pip URL/path requirement, which has a URL and maybe no name). */
export interface Requirement {
  /** As written (not normalised). */
  readonly name: string;
  /** The version specifier as written (`>=1.13,<2`), null when there is none. */
  readonly specifier: string | null;
  readonly url: string | null;
}

const nameAndRest = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$/s;

/** Parses a PEP 508 requirement string; null when it has no package name. */
export function parsePep508(text: string): Requirement | null {
  const match = nameAndRest.exec(text);
  if (!match?.[1]) return null;
  let rest = (match[3] ?? '').trim();
  if (rest.startsWith('@')) {
    // `name @ url ; marker`: the marker is separated by whitespace before the semicolon.
    const url = cutAt(rest.slice(1).trim(), /\s;/).trim();
    return { name: match[1], specifier: null, url };
  }
  const semicolon = rest.indexOf(';');
  if (semicolon >= 0) rest = rest.slice(0, semicolon).trim();
  if (rest.startsWith('(') && rest.endsWith(')')) rest = rest.slice(1, -1).trim();
  if (rest === '') return { name: match[1], specifier: null, url: null };
  // A specifier that is not PEP 440 makes the whole line unreadable (pip refuses it too).
  if (parseSpecifierSet(rest) === null) return null;
  return { name: match[1], specifier: rest.replace(/\s+/g, ''), url: null };
}

/** The skip reason of a requirement installed from a URL or path. */
export function skipForUrl(url: string): SkipReason {
  if (/^git\+|^(hg|svn|bzr)\+/.test(url)) return 'git-dependency';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('file:')) return 'url-dependency';
  return 'local-path';
}

/** Lowest allowed version of a PEP 440 specifier (null specifier: unpinned). */
export function lowestPep440(specifier: string | null): Lowest {
  if (specifier === null) return { kind: 'skip', skip: 'unpinned' };
  const clauses = parseSpecifierSet(specifier);
  if (clauses === null) {
    // A bare version is not PEP 440 syntax in a requirement, but Pipfile writes `*` for "any".
    return specifier.trim() === '*' ? { kind: 'skip', skip: 'unpinned' } : { kind: 'skip', skip: 'invalid-version' };
  }
  return lowestAllowed(clauses);
}

// ---------------------------------------------------------------------------------------------------------------
// Poetry constraints (https://python-poetry.org/docs/dependency-specification/)

function bump(release: number[], index: number): string {
  const parts = release.slice(0, index + 1);
  parts[index] = (parts[index] ?? 0) + 1;
  return parts.join('.');
}

/** Translates one Poetry constraint alternative (no `||`) into PEP 440 clauses; null when it is not valid. */
function poetryAlternative(text: string): Pep440Clause[] | null {
  const clauses: Pep440Clause[] = [];
  // Split at commas, then at the start of a space run before an operator: linear, where one alternation of
  // `\s*,\s*` and `\s+(?=…)` retried every position of a long space run.
  const tokens = text.split(',').flatMap((part) => part.split(/(?<!\s)\s+(?=[<>=!~^*\d])/)).map((token) => token.trim()).filter((token) => token !== '');
  for (const token of tokens) {
    if (token === '*') continue;
    const caret = /^\^\s*(\d+(?:\.\d+)*)(.*)$/.exec(token);
    const tilde = /^~(?!=)\s*(\d+(?:\.\d+)*)(.*)$/.exec(token);
    if (caret?.[1] !== undefined) {
      const release = caret[1].split('.').map(Number);
      const first = release.findIndex((part) => part !== 0);
      const index = first < 0 ? release.length - 1 : first;
      clauses.push({ operator: '>=', version: caret[1] + (caret[2] ?? ''), wildcard: false }, { operator: '<', version: bump(release, index), wildcard: false });
    } else if (tilde?.[1] !== undefined) {
      const release = tilde[1].split('.').map(Number);
      clauses.push({ operator: '>=', version: tilde[1] + (tilde[2] ?? ''), wildcard: false }, { operator: '<', version: bump(release, release.length > 1 ? 1 : 0), wildcard: false });
    } else if (/^\d/.test(token)) {
      const parsed = parseSpecifierSet(`==${token}`);
      if (!parsed) return null;
      clauses.push(...parsed);
    } else {
      const parsed = parseSpecifierSet(token);
      if (!parsed) return null;
      clauses.push(...parsed);
    }
  }
  return clauses;
}

/** Lowest version a Poetry constraint allows: a bare version is exact, `^`/`~` give their base, `||` the lowest alternative. */
export function lowestPoetry(constraint: string): Lowest {
  const alternatives = constraint.split('||').map((part) => part.trim());
  const results: Lowest[] = [];
  for (const alternative of alternatives) {
    if (alternative === '' || alternative === '*') return { kind: 'skip', skip: 'unpinned' };
    const clauses = poetryAlternative(alternative);
    if (clauses === null) return { kind: 'skip', skip: 'invalid-version' };
    results.push(clauses.length === 0 ? { kind: 'skip', skip: 'unpinned' } : lowestAllowed(clauses));
  }
  if (results.length === 1 && results[0]) return results[0];
  let best: string | null = null;
  for (const result of results) {
    if (result.kind === 'skip') return result;
    if (best === null || (comparePep440Text(result.version, best) ?? 0) < 0) best = result.version;
  }
  // Several alternatives: the lowest of their lowest versions, a range.
  return best === null ? { kind: 'skip', skip: 'unpinned' } : { kind: 'range', version: best };
}

// ---------------------------------------------------------------------------------------------------------------
// pip requirements files

/** One logical line of a requirements file. */
export type RequirementLine =
  | { readonly kind: 'requirement'; readonly line: number; readonly requirement: Requirement }
  | { readonly kind: 'include'; readonly line: number; readonly constraint: boolean; readonly path: string }
  | { readonly kind: 'invalid'; readonly line: number; readonly text: string };

const ignoredOptions = /^(-i|--index-url|--extra-index-url|-f|--find-links|--trusted-host|--no-index|--no-binary|--only-binary|--prefer-binary|--pre|--require-hashes|--use-feature|--hash)\b/;

/** Splits a requirements file into logical lines (joined continuations, comments removed) with their first line number. */
function logicalLines(text: string): { line: number; text: string }[] {
  const result: { line: number; text: string }[] = [];
  const physical = text.split(/\r?\n/);
  let buffer = '';
  let start = 0;
  for (let i = 0; i < physical.length; i++) {
    const raw = physical[i] ?? '';
    if (buffer === '') start = i + 1;
    if (raw.endsWith('\\') && !/(^|\s)#/.test(raw)) {
      buffer += `${raw.slice(0, -1)} `;
      continue;
    }
    buffer += raw;
    const withoutComment = cutAt(buffer, /(^|\s)#/).trim();
    if (withoutComment !== '') result.push({ line: start, text: withoutComment });
    buffer = '';
  }
  if (buffer.trim() !== '') result.push({ line: start, text: cutAt(buffer, /(^|\s)#/).trim() });
  return result;
}

/** A name from a URL requirement: `#egg=name`, or a wheel/sdist file name (`azure_identity-1.13.0-py3-none-any.whl`). */
export function nameFromUrl(url: string): { name: string; version: string | null } | null {
  const egg = /[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(url);
  if (egg?.[1]) return { name: egg[1], version: null };
  const file = url.split(/[?#]/)[0]?.split('/').pop() ?? '';
  const wheel = /^([A-Za-z0-9_.]+)-([0-9][^-]*)-.*\.whl$/i.exec(file);
  if (wheel?.[1] && wheel[2]) return { name: wheel[1], version: wheel[2] };
  const sdist = /^([A-Za-z0-9_.-]+?)-([0-9][A-Za-z0-9.!+]*)\.(tar\.gz|zip|tar\.bz2)$/i.exec(file);
  if (sdist?.[1] && sdist[2]) return { name: sdist[1], version: sdist[2] };
  return null;
}

/** Parses a requirements file into requirements, includes and lines it cannot read. */
export function parseRequirementsFile(text: string): RequirementLine[] {
  const result: RequirementLine[] = [];
  for (const { line, text: content } of logicalLines(text)) {
    const include = /^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)/.exec(content);
    if (include?.[2]) {
      result.push({ kind: 'include', line, constraint: include[1] === '-c' || include[1] === '--constraint', path: include[2] });
      continue;
    }
    const editable = /^(-e|--editable)(?:\s*=\s*|\s+)(\S+)/.exec(content);
    const body = editable?.[2] ?? content;
    if (!editable && content.startsWith('-')) {
      if (!ignoredOptions.test(content)) result.push({ kind: 'invalid', line, text: content });
      continue;
    }
    // Per-requirement options (`--hash=...`, `--config-settings`) follow the requirement.
    const requirementText = cutAt(body, /\s--?[a-z]/i).trim();
    const isUrl = /^([a-z][a-z0-9+.-]*:\/\/|git\+|hg\+|svn\+|bzr\+|\.{0,2}\/|file:)/i.test(requirementText) || /^\S+\.(whl|tar\.gz|zip)$/i.test(requirementText);
    if (editable || isUrl) {
      const named = nameFromUrl(requirementText);
      result.push({ kind: 'requirement', line, requirement: { name: named?.name ?? requirementText, specifier: named?.version ? `==${named.version}` : null, url: requirementText } });
      continue;
    }
    const requirement = parsePep508(requirementText);
    if (requirement) result.push({ kind: 'requirement', line, requirement });
    else result.push({ kind: 'invalid', line, text: content });
  }
  return result;
}

/** Constraint-file lookups use PEP 503 names. */
export function constraintKey(name: string): string {
  return normalizePypiName(name);
}

/**
 * `text` up to the first match of a short pattern (all of it when none): the linear form of `replace(/x.*$/, '')`,
 * which retries from every position of a long run that never reaches the end.
 */
export function cutAt(text: string, pattern: RegExp): string {
  const at = text.search(pattern);
  return at < 0 ? text : text.slice(0, at);
}
