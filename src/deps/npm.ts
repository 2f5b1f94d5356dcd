/**
 * npm ecosystem (https://docs.npmjs.com/cli/configuring-npm/package-json): package.json declares, a lockfile
 * (this folder's, or a workspace root's that records this folder) says what is installed, a present node_modules
 * is read when no lockfile serves the folder, and otherwise the lowest version each range allows is reported.
 */
import semver from 'semver';
import { asRecord, asString, readJson } from './files.js';
import { jsonPathKey, locateJson } from './json-text.js';
import { isListed } from './knowledge.js';
import { readNodeModules } from './npm-node-modules.js';
import { npmLockfileNames, readNpmLockfile, skipForSpec, type LockNode, type NpmLockfile } from './npm-lockfiles.js';
import type { Lowest } from './skip.js';
import { ancestors, cached, joinPath, type AppFolder, type DependencyReader, type FoundDependency, type ReadContext } from './types.js';

/** Sections of package.json that declare dependencies, in the order a name is taken from when it is in several. */
const sections = ['dependencies', 'optionalDependencies', 'devDependencies', 'peerDependencies'] as const;

interface Declared {
  /** The key in package.json (an alias name for `npm:` aliases). */
  readonly key: string;
  /** The package actually installed (the alias target for `npm:pkg@range`). */
  readonly name: string;
  /** The spec as written. */
  readonly spec: string;
  /** The range part of the spec (without `npm:pkg@`). */
  readonly range: string;
  readonly line: number;
}

/**
 * The lowest version an npm spec allows. An exact version is exact; a range gives `semver.minVersion` (so `>1.5.0`
 * is 1.5.1, the next SemVer release, since SemVer has nothing between); git, URL, path and workspace specs and
 * dist-tags cannot be known without the registry.
 */
export function lowestNpm(spec: string): Lowest {
  const text = spec.trim();
  const special = skipForSpec(text);
  if (special) return { kind: 'skip', skip: special };
  if (text === '' || text === '*' || text === 'x' || text === 'X') return { kind: 'skip', skip: 'unpinned' };
  const exact = semver.valid(text, { loose: true });
  if (exact) return { kind: 'exact', version: exact };
  const range = semver.validRange(text, { loose: true });
  if (range === null) return { kind: 'skip', skip: /^[a-z][\w.-]*$/i.test(text) ? 'dynamic-version' : 'invalid-version' };
  let lowest: semver.SemVer | null;
  try {
    lowest = semver.minVersion(range, { loose: true });
  } catch {
    lowest = null;
  }
  if (!lowest) return { kind: 'skip', skip: 'unsatisfiable-range' };
  if (lowest.version === '0.0.0' && !/(^|[^.\d])0\.0\.0/.test(text)) return { kind: 'skip', skip: 'no-lower-bound' };
  return { kind: 'range', version: lowest.version };
}

function readDeclared(context: ReadContext, path: string): { name: string | null; declared: Declared[] } | null {
  const parsed = readJson(context, path, 'package.json');
  const manifest = asRecord(parsed?.value);
  if (!parsed || !manifest) return null;
  const seen = new Set<string>();
  const entries: { section: string; key: string; spec: string }[] = [];
  for (const section of sections) {
    for (const [key, value] of Object.entries(asRecord(manifest[section]) ?? {})) {
      const spec = asString(value);
      if (spec === null || seen.has(key)) continue;
      seen.add(key);
      entries.push({ section, key, spec });
    }
  }
  const offsets = locateJson(parsed.file.text, entries.map((entry) => [entry.section, entry.key]));
  const lineOf = (offset: number): number => parsed.file.text.slice(0, offset).split('\n').length;
  const declared = entries.map((entry): Declared => {
    const alias = /^npm:((?:@[^/@]+\/)?[^@]+)(?:@(.*))?$/.exec(entry.spec);
    return {
      key: entry.key,
      name: alias?.[1] ?? entry.key,
      spec: entry.spec,
      range: alias ? (alias[2] ?? '*') : entry.spec,
      line: lineOf(offsets.get(jsonPathKey([entry.section, entry.key])) ?? 0),
    };
  });
  return { name: asString(manifest.name), declared };
}

/** Lockfiles from this size on are worth the prefilter (a 200 KB pnpm-lock.yaml takes about 0.25 s to parse). */
export const prefilterFromBytes = 256 * 1024;

/**
 * A cheap prefilter for large lockfiles: one that names no identity library (a plain substring test) cannot change
 * what is listed by default, so it is not parsed unless every dependency is wanted or the application declares an
 * identity library itself (then a missing lockfile entry is worth a note). Smaller lockfiles are always parsed, so
 * their syntax errors are always reported. The verdict never comes from this test.
 */
function lockfileMatters(context: ReadContext, path: string, declaresListed: boolean): boolean {
  if (context.allDependencies || declaresListed) return true;
  return cached(context, `npm-lock-mentions:${path}`, () => {
    const text = context.repo.read(path)?.text;
    if (text === undefined || text.length < prefilterFromBytes) return true; // unreadable files are the reader's to report
    const names = [...context.knowledge.byPackage.keys()].filter((key) => key.startsWith('npm:')).map((key) => key.slice('npm:'.length));
    return names.some((name) => text.includes(name));
  });
}

/** The lockfile that serves `folder`: its own (by npm's preference order) or the nearest workspace root's. */
function findLockfile(folder: string, context: ReadContext, declaresListed: boolean): { lock: NpmLockfile; rel: string } | 'irrelevant' | null {
  for (const candidate of ancestors(folder)) {
    const present = npmLockfileNames.filter((name) => context.repo.has(joinPath(candidate, name)));
    if (present.length === 0) continue;
    if (candidate === folder && present.length > 1) {
      cached(context, `ambiguous:${folder}`, () => {
        context.sink.add('lockfile-ambiguous', { file: joinPath(folder, present[0] ?? ''), line: 1, column: 1 }, `${folder === '.' ? 'The scan root' : folder} has ${present.join(', ')}: pod2wi reads ${present[0]}`);
        return true;
      });
    }
    const rel = candidate === folder ? '.' : candidate === '.' ? folder : folder.slice(candidate.length + 1);
    if (candidate === folder && !lockfileMatters(context, joinPath(candidate, present[0] ?? ''), declaresListed)) return 'irrelevant';
    for (const name of present) {
      const lock = readNpmLockfile(context, joinPath(candidate, name));
      if (lock?.serves(rel)) return { lock, rel };
    }
  }
  return null;
}

function fromLowest(declared: Declared, lowest: Lowest, file: string): FoundDependency {
  const base = { ecosystem: 'npm' as const, name: declared.name, declared: declared.spec, file, line: declared.line, direct: true };
  return lowest.kind === 'skip'
    ? { ...base, version: null, resolution: 'unresolved', skip: lowest.skip }
    : { ...base, version: lowest.version, resolution: lowest.kind, skip: null };
}

export const npm: DependencyReader = {
  ecosystem: 'npm',
  marks: (fileName) => fileName === 'package.json',
  read(folder: AppFolder, context: ReadContext) {
    const manifestPath = joinPath(folder.path, 'package.json');
    const manifest = readDeclared(context, manifestPath);
    if (!manifest) return { name: null, dependencies: [] };
    const listed = (name: string, direct: boolean): boolean => isListed(context.knowledge, 'npm', name, direct);
    const found = findLockfile(folder.path, context, manifest.declared.some((declared) => listed(declared.name, true)));
    const dependencies: FoundDependency[] = [];

    if (found === 'irrelevant') {
      // Its lockfile names no identity library and only identity libraries are listed: the ranges are enough.
      return { name: manifest.name, dependencies: manifest.declared.map((declared) => fromLowest(declared, lowestNpm(declared.range), manifestPath)) };
    }
    if (found) {
      const { lock, rel } = found;
      const direct = new Map<string, { declared: Declared; node: LockNode }>();
      for (const declared of manifest.declared) {
        const node = lock.resolve(rel, declared.key, declared.spec);
        if (node) {
          direct.set(node.key, { declared, node });
          continue;
        }
        if (listed(declared.name, true) && skipForSpec(declared.spec) !== 'workspace') {
          context.sink.add('lockfile-mismatch', { file: manifestPath, line: declared.line, column: 1 }, `${declared.name} ${declared.spec} is declared but ${lock.path} has no entry for it`);
        }
        dependencies.push(fromLowest(declared, lowestNpm(declared.range), manifestPath));
      }
      // Everything reachable from the member's direct dependencies; identity libraries among them are reported.
      const transitive = new Map<string, LockNode>();
      const queue = [...direct.values()].map((entry) => entry.node);
      const visited = new Set(queue.map((node) => node.key));
      for (let next = 0; next < queue.length; next++) {
        const node = queue[next];
        if (!node) break;
        if (!direct.has(node.key) && listed(node.name, false)) transitive.set(node.key, node);
        for (const child of lock.children(node)) {
          if (visited.has(child.key)) continue;
          visited.add(child.key);
          queue.push(child);
        }
      }
      const lines = lock.lines([...[...direct.values()].map((entry) => entry.node), ...transitive.values()]);
      for (const { declared, node } of direct.values()) {
        if (node.version !== null && semver.validRange(declared.range, { loose: true }) && !semver.satisfies(node.version, declared.range, { loose: true, includePrerelease: true }) && listed(node.name, true)) {
          context.sink.add('lockfile-mismatch', { file: lock.path, line: lines.get(node.key) ?? 1, column: 1 }, `${lock.path} pins ${node.name} ${node.version}, outside the range ${declared.spec} that ${manifestPath} declares`);
        }
        dependencies.push({
          ecosystem: 'npm',
          name: node.name,
          version: node.version,
          declared: declared.spec,
          resolution: node.version === null ? 'unresolved' : 'locked',
          skip: node.skip,
          file: lock.path,
          line: lines.get(node.key) ?? 1,
          direct: true,
        });
      }
      for (const node of transitive.values()) {
        dependencies.push({
          ecosystem: 'npm',
          name: node.name,
          version: node.version,
          declared: null,
          resolution: node.version === null ? 'unresolved' : 'locked',
          skip: node.skip,
          file: lock.path,
          line: lines.get(node.key) ?? 1,
          direct: false,
        });
      }
      return { name: manifest.name, dependencies };
    }

    // No lockfile: what is installed in node_modules, if anything, else the declared ranges.
    const directNames = new Set(manifest.declared.map((declared) => declared.key));
    const installed = readNodeModules(context.repo.root, folder.path, (name) => directNames.has(name) || listed(name, false));
    const topLevel = new Map(installed.filter((entry) => entry.topLevel).map((entry) => [entry.path, entry]));
    const used = new Set<string>();
    for (const declared of manifest.declared) {
      const entry = topLevel.get(joinPath(folder.path, `node_modules/${declared.key}/package.json`));
      if (entry?.version) {
        used.add(entry.path);
        dependencies.push({ ecosystem: 'npm', name: entry.name, version: entry.version, declared: declared.spec, resolution: 'locked', skip: null, file: entry.path, line: entry.line, direct: true });
      } else {
        dependencies.push(fromLowest(declared, lowestNpm(declared.range), manifestPath));
      }
    }
    for (const entry of installed) {
      if (used.has(entry.path) || !listed(entry.name, false)) continue;
      dependencies.push({
        ecosystem: 'npm',
        name: entry.name,
        version: entry.version,
        declared: null,
        resolution: entry.version ? 'locked' : 'unresolved',
        skip: entry.version ? null : 'invalid-version',
        file: entry.path,
        line: entry.line,
        direct: false,
      });
    }
    return { name: manifest.name, dependencies };
  },
};
