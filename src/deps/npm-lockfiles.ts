/**
 * npm-ecosystem lockfiles, read through their real structure (no package manager runs): package-lock.json and
 * npm-shrinkwrap.json v1 (nested `dependencies`) and v2/v3 (`packages` keyed by install location), yarn.lock classic
 * and berry (`@yarnpkg/parsers`), pnpm-lock.yaml v5, v6 and v9 (`yaml`). Each becomes the same small graph: nodes
 * (one per installed copy), the node a workspace member's direct dependency resolves to, and each node's children.
 */
import { parseSyml } from '@yarnpkg/parsers';
import { parse as parseYaml } from 'yaml';
import type { TextFile } from '../walk/repo.js';
import { asRecord, asString, lineAt, readJson, readText, reportParseError, yamlMessage } from './files.js';
import { jsonPathKey, locateJson } from './json-text.js';
import type { SkipReason } from './skip.js';
import { cached, joinPath, type ReadContext } from './types.js';
import { before, stripTrailing } from '../model/text.js';

/** One installed copy of a package in a lockfile. `key` is unique within the lockfile. */
export interface LockNode {
  readonly key: string;
  readonly name: string;
  readonly version: string | null;
  readonly skip: SkipReason | null;
}

/** A lockfile as a graph. `rel` is a workspace member's folder relative to the lockfile's folder (`.` for its own). */
export interface NpmLockfile {
  readonly path: string;
  readonly folder: string;
  /** `package-lock v3`, `yarn berry`, `pnpm v9`, ... (for messages). */
  readonly format: string;
  /** Does the lockfile record the member at `rel`? */
  serves(rel: string): boolean;
  /** The node a direct dependency `name@spec` of the member at `rel` resolves to. */
  resolve(rel: string, name: string, spec: string): LockNode | null;
  children(node: LockNode): readonly LockNode[];
  /** The line where each node's version is written, keyed by node key. */
  lines(nodes: readonly LockNode[]): Map<string, number>;
}

/** The lockfile names in the order pod2wi prefers them when a folder has several (npm's own order first). */
export const npmLockfileNames = ['npm-shrinkwrap.json', 'package-lock.json', 'pnpm-lock.yaml', 'yarn.lock'] as const;

/** Reads (once per scan) the lockfile at `path`; null when absent, unreadable or invalid (reported). */
export function readNpmLockfile(context: ReadContext, path: string): NpmLockfile | null {
  return cached(context, `npm-lock:${path}`, () => {
    const slash = path.lastIndexOf('/');
    const folder = slash < 0 ? '.' : path.slice(0, slash);
    const name = path.slice(slash + 1);
    if (name === 'yarn.lock') {
      const file = readText(context, path);
      return file ? readYarnLock(context, file, folder) : null;
    }
    if (name === 'pnpm-lock.yaml') {
      const file = readText(context, path);
      return file ? readPnpmLock(context, file, folder) : null;
    }
    const parsed = readJson(context, path, name);
    if (!parsed) return null;
    const lock = asRecord(parsed.value);
    if (!lock) {
      reportParseError(context, path, 1, 1, name, 'the top level is not an object');
      return null;
    }
    return asRecord(lock.packages) ? packageLockV2(context, parsed.file, folder, lock) : packageLockV1(context, parsed.file, folder, lock);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Version strings that are not registry versions.

/** Why a lockfile "version" that is a URL, path or git spec has no comparable version. */
export function skipForSpec(spec: string): SkipReason | null {
  if (/^(git\+|git:|github:|gitlab:|bitbucket:|gist:)/.test(spec) || /^[\w.-]+\/[\w.-]+(#.*)?$/.test(spec)) return 'git-dependency';
  if (/^(file:|link:|portal:)/.test(spec)) return 'local-path';
  if (/^workspace:/.test(spec)) return 'workspace';
  if (/^https?:/.test(spec)) return 'url-dependency';
  return null;
}

function lockNode(key: string, name: string, version: string | null): LockNode {
  if (version === null) return { key, name, version: null, skip: 'invalid-version' };
  const skip = skipForSpec(version);
  return skip ? { key, name, version: null, skip } : { key, name, version, skip: null };
}

function dependencyMaps(entry: Record<string, unknown>, fields: readonly string[]): [string, string][] {
  const result: [string, string][] = [];
  for (const field of fields) {
    const map = asRecord(entry[field]);
    if (!map) continue;
    for (const [name, spec] of Object.entries(map)) {
      const text = asString(spec) ?? asString(asRecord(spec)?.version);
      if (text !== null) result.push([name, text]);
    }
  }
  return result;
}

const runtimeFields = ['dependencies', 'optionalDependencies', 'peerDependencies'] as const;

// ---------------------------------------------------------------------------------------------------------------
// package-lock.json / npm-shrinkwrap.json v2 and v3: `packages` keyed by install location.

function packageLockV2(context: ReadContext, file: TextFile, folder: string, lock: Record<string, unknown>): NpmLockfile {
  const packages = asRecord(lock.packages) ?? {};
  const version = typeof lock.lockfileVersion === 'number' ? lock.lockfileVersion : 2;
  const nodes = new Map<string, LockNode>();
  const nodeAt = (key: string): LockNode | null => {
    const known = nodes.get(key);
    if (known) return known;
    const entry = asRecord(packages[key]);
    if (!entry) return null;
    const name = asString(entry.name) ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const node = entry.link === true ? { key, name, version: null, skip: 'workspace' as const } : lockNode(key, name, asString(entry.version));
    nodes.set(key, node);
    return node;
  };
  // Node's resolution: the nearest node_modules/<name> from the location up to the lockfile's root.
  const find = (location: string, name: string): LockNode | null => {
    let base = location;
    for (;;) {
      const node = nodeAt(base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`);
      if (node) return node;
      if (base === '') return null;
      const cut = base.lastIndexOf('/node_modules/');
      base = cut < 0 ? '' : base.slice(0, cut);
    }
  };
  return {
    path: file.path,
    folder,
    format: `package-lock v${version}`,
    serves: (rel) => rel === '.' || (asRecord(packages[rel]) !== null && !rel.includes('node_modules/')),
    resolve: (rel, name) => find(rel === '.' ? '' : rel, name),
    children: (node) => {
      const entry = asRecord(packages[node.key]);
      if (!entry || entry.link === true) return [];
      return dependencyMaps(entry, runtimeFields).flatMap(([name]) => find(node.key, name) ?? []);
    },
    lines: (wanted) => {
      const paths = wanted.flatMap((node) => [['packages', node.key, 'version'], ['packages', node.key]]);
      const found = locateJson(file.text, paths);
      return new Map(wanted.map((node) => {
        const offset = found.get(jsonPathKey(['packages', node.key, 'version'])) ?? found.get(jsonPathKey(['packages', node.key])) ?? 0;
        return [node.key, lineAt(context, file, offset)];
      }));
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// package-lock.json v1: nested `dependencies`, resolution by walking up the nesting.

/** The deepest `dependencies` nesting of a v1 lockfile that is read (npm 6 rarely goes past a dozen). */
export const maxLockfileDepth = 256;

function packageLockV1(context: ReadContext, file: TextFile, folder: string, lock: Record<string, unknown>): NpmLockfile {
  interface V1Entry {
    readonly node: LockNode;
    readonly path: readonly string[];
    readonly parent: string | null;
    readonly entry: Record<string, unknown>;
  }
  const entries = new Map<string, V1Entry>();
  const keyOf = (path: readonly string[]): string => path.map((name) => `node_modules/${name}`).join('/');
  // Iterative, and bounded: npm never nests this deep, and each level's key repeats every level above it.
  const pending: Array<{ dependencies: Record<string, unknown>; parentPath: readonly string[]; parent: string | null }> = [];
  const top = asRecord(lock.dependencies);
  if (top) pending.push({ dependencies: top, parentPath: [], parent: null });
  let tooDeep = false;
  while (pending.length > 0) {
    const { dependencies, parentPath, parent } = pending.pop() ?? { dependencies: {}, parentPath: [], parent: null };
    for (const [name, value] of Object.entries(dependencies)) {
      const entry = asRecord(value);
      if (!entry) continue;
      const path = [...parentPath, name];
      const key = keyOf(path);
      entries.set(key, { node: lockNode(key, name, asString(entry.version)), path, parent, entry });
      const nested = asRecord(entry.dependencies);
      if (!nested) continue;
      if (path.length >= maxLockfileDepth) tooDeep = true;
      else pending.push({ dependencies: nested, parentPath: path, parent: key });
    }
  }
  if (tooDeep) {
    reportParseError(context, file.path, 1, 1, 'package-lock.json', `\`dependencies\` nest deeper than ${maxLockfileDepth} levels; the entries below that depth are not read`);
  }
  const find = (from: string | null, name: string): LockNode | null => {
    let scope = from;
    for (;;) {
      const candidate = entries.get(scope === null ? `node_modules/${name}` : `${scope}/node_modules/${name}`);
      if (candidate) return candidate.node;
      if (scope === null) return null;
      scope = entries.get(scope)?.parent ?? null;
    }
  };
  return {
    path: file.path,
    folder,
    format: 'package-lock v1',
    serves: (rel) => rel === '.',
    resolve: (_rel, name) => find(null, name),
    children: (node) => {
      const entry = entries.get(node.key);
      const requires = asRecord(entry?.entry.requires);
      return requires ? Object.keys(requires).flatMap((name) => find(node.key, name) ?? []) : [];
    },
    lines: (wanted) => {
      const pathOf = (node: LockNode): string[] => (entries.get(node.key)?.path ?? []).flatMap((name) => ['dependencies', name]);
      const found = locateJson(file.text, wanted.flatMap((node) => [[...pathOf(node), 'version'], pathOf(node)]));
      return new Map(wanted.map((node) => {
        const offset = found.get(jsonPathKey([...pathOf(node), 'version'])) ?? found.get(jsonPathKey(pathOf(node))) ?? 0;
        return [node.key, lineAt(context, file, offset)];
      }));
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// yarn.lock, classic (v1) and berry: keys are descriptors `name@range` (berry: `name@npm:range`).

/** Splits a descriptor `@scope/name@range` into name and range. */
export function splitDescriptor(descriptor: string): { name: string; range: string } | null {
  const at = descriptor.indexOf('@', descriptor.startsWith('@') ? 1 : 0);
  if (at <= 0) return null;
  return { name: descriptor.slice(0, at), range: descriptor.slice(at + 1) };
}

function readYarnLock(context: ReadContext, file: TextFile, folder: string): NpmLockfile | null {
  let data: Record<string, unknown>;
  try {
    data = asRecord(parseSyml(file.text)) ?? {};
  } catch (error) {
    const mark = asRecord(asRecord(error)?.mark);
    const line = typeof mark?.line === 'number' ? mark.line + 1 : 1;
    const column = typeof mark?.column === 'number' ? mark.column + 1 : 1;
    reportParseError(context, file.path, line, column, 'yarn.lock', ((error as Error).message.split('\n')[0] ?? '').trim());
    return null;
  }
  const berry = asRecord(data.__metadata) !== null;
  const nodes = new Map<string, LockNode>();
  const byDescriptor = new Map<string, { node: LockNode; entry: Record<string, unknown> }>();
  for (const [descriptor, value] of Object.entries(data)) {
    if (descriptor === '__metadata') continue;
    const entry = asRecord(value);
    const split = splitDescriptor(descriptor);
    if (!entry || !split) continue;
    const version = asString(entry.version) ?? (typeof entry.version === 'number' ? String(entry.version) : null);
    const resolution = asString(entry.resolution);
    const key = resolution ?? `${split.name}@${version ?? split.range}`;
    let node = nodes.get(key);
    if (!node) {
      const workspace = split.range.startsWith('workspace:') || (resolution?.includes('@workspace:') ?? false);
      node = workspace ? { key, name: split.name, version: null, skip: 'workspace' } : lockNode(key, split.name, version);
      nodes.set(key, node);
    }
    byDescriptor.set(descriptor, { node, entry });
  }
  const find = (name: string, range: string): { node: LockNode; entry: Record<string, unknown> } | null =>
    byDescriptor.get(`${name}@${range}`) ?? (berry ? (byDescriptor.get(`${name}@npm:${range}`) ?? null) : null);
  const entryOf = new Map([...byDescriptor.values()].map((value) => [value.node.key, value.entry]));
  const workspaceGlobs = berry ? [] : workspacePatterns(context, joinPath(folder, 'package.json'));
  return {
    path: file.path,
    folder,
    format: berry ? 'yarn berry' : 'yarn classic',
    serves: (rel) =>
      rel === '.' ||
      (berry ? [...byDescriptor.keys()].some((descriptor) => descriptor.endsWith(`@workspace:${rel}`)) : workspaceGlobs.some((glob) => glob.test(rel))),
    resolve: (_rel, name, spec) => find(name, spec)?.node ?? null,
    children: (node) => {
      const entry = entryOf.get(node.key);
      return entry ? dependencyMaps(entry, runtimeFields).flatMap(([name, range]) => find(name, range)?.node ?? []) : [];
    },
    lines: (wanted) => {
      const versionLines = yarnVersionLines(file.text);
      const result = new Map<string, number>();
      for (const node of wanted) {
        const descriptor = [...byDescriptor.entries()].find(([, value]) => value.node === node)?.[0];
        result.set(node.key, (descriptor ? versionLines.get(descriptor) : undefined) ?? 1);
      }
      return result;
    },
  };
}

/** Descriptor → the line of its block's `version` (or of the block header): yarn's format keeps blocks at column 0. */
function yarnVersionLines(text: string): Map<string, number> {
  const lines = text.split('\n');
  const result = new Map<string, number>();
  let current: string[] = [];
  let header = 0;
  let versionSeen = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '' || line.startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      header = i + 1;
      versionSeen = false;
      current = line
        .replace(/:\s*$/, '')
        .split(/,\s*/)
        .map((part) => part.trim().replace(/^"(.*)"$/, '$1'));
      for (const descriptor of current) result.set(descriptor, header);
    } else if (!versionSeen && /^ {2}version:?\s/.test(line)) {
      versionSeen = true;
      for (const descriptor of current) result.set(descriptor, i + 1);
    }
  }
  return result;
}

/** The `workspaces` globs of a package.json (array or `{ packages: [...] }`), as regular expressions over folders. */
export function workspacePatterns(context: ReadContext, packageJsonPath: string): RegExp[] {
  const manifest = asRecord(readJson(context, packageJsonPath, 'package.json')?.value);
  const workspaces = manifest?.workspaces;
  const list = Array.isArray(workspaces) ? workspaces : asRecord(workspaces)?.packages;
  if (!Array.isArray(list)) return [];
  return list.flatMap((glob) => (typeof glob === 'string' && !glob.startsWith('!') ? [globToRegExp(glob)] : []));
}

/** A workspace glob (`packages/*`, `apps/**`, `tools/cli`) as a regular expression over relative folder paths. */
export function globToRegExp(glob: string): RegExp {
  const clean = stripTrailing(glob.replace(/^\.\//, ''), '/');
  let pattern = '';
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charAt(i);
    if (c === '*' && clean.charAt(i + 1) === '*') {
      pattern += '.*';
      i++;
      if (clean.charAt(i + 1) === '/') i++;
    } else if (c === '*') pattern += '[^/]*';
    else if (c === '?') pattern += '[^/]';
    else pattern += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`);
}

// ---------------------------------------------------------------------------------------------------------------
// pnpm-lock.yaml v5 (`/name/1.2.3_peer`), v6 (`/name@1.2.3(peer)`), v9 (`name@1.2.3`, graph in `snapshots`).

/** Name and version from a pnpm package key of any version, peer suffixes removed; null for non-registry keys. */
export function parsePnpmKey(key: string, major: number): { name: string; version: string } | null {
  const path = key.startsWith('/') ? key.slice(1) : key;
  if (major < 6) {
    const slash = path.lastIndexOf('/');
    if (slash <= 0) return null;
    const name = path.slice(0, slash);
    const version = before(path.slice(slash + 1), '_');
    return /^\d/.test(version) ? { name, version } : null;
  }
  const at = path.indexOf('@', path.startsWith('@') ? 1 : 0);
  if (at <= 0) return null;
  const version = before(path.slice(at + 1), '(');
  return /^\d/.test(version) ? { name: path.slice(0, at), version } : null;
}

function readPnpmLock(context: ReadContext, file: TextFile, folder: string): NpmLockfile | null {
  let data: Record<string, unknown>;
  try {
    data = asRecord(parseYaml(file.text, { uniqueKeys: false })) ?? {};
  } catch (error) {
    const position = (asRecord(error)?.linePos as { line: number; col: number }[] | undefined)?.[0];
    reportParseError(context, file.path, position?.line ?? 1, position?.col ?? 1, 'pnpm-lock.yaml', yamlMessage(error));
    return null;
  }
  const major = Number.parseInt(String(data.lockfileVersion ?? '5'), 10) || 5;
  const packages = asRecord(data.packages) ?? {};
  const snapshots = asRecord(data.snapshots);
  const graph = snapshots ?? packages;
  const importers = asRecord(data.importers);
  const importer = (rel: string): Record<string, unknown> | null => (importers ? asRecord(importers[rel]) : rel === '.' ? data : null);

  // A reference from an importer or a package's dependencies to the key of the node it means.
  const keyFor = (name: string, reference: string): string | null => {
    if (reference.startsWith('link:') || reference.startsWith('file:')) return null;
    if (major >= 9) return /^\d/.test(reference) ? `${name}@${reference}` : reference;
    if (major >= 6) return reference.startsWith('/') ? reference : /^\d/.test(reference) ? `/${name}@${reference}` : `/${reference}`;
    return reference.startsWith('/') ? reference : /^\d/.test(reference) ? `/${name}/${reference}` : `/${reference}`;
  };
  const nodes = new Map<string, LockNode>();
  const nodeFor = (name: string, reference: string): LockNode => {
    const key = keyFor(name, reference);
    if (key === null) return { key: `${name}@${reference}`, name, version: null, skip: reference.startsWith('link:') ? 'workspace' : 'local-path' };
    const known = nodes.get(key);
    if (known) return known;
    const parsed = parsePnpmKey(key, major);
    let result: LockNode;
    if (parsed) result = { key, name: parsed.name, version: parsed.version, skip: null };
    else {
      // Not from the registry (git, tarball URL, folder): pnpm may record the package's own name and version.
      const entry = asRecord(packages[key]);
      const resolution = asRecord(entry?.resolution);
      const version = asString(entry?.version);
      const skip: SkipReason = resolution?.type === 'git' || asString(resolution?.repo) !== null || /(^|[/:])git(hub|lab)?[.:+/]/.test(key) ? 'git-dependency' : resolution?.type === 'directory' ? 'local-path' : 'url-dependency';
      result = version !== null && skipForSpec(version) === null ? { key, name: asString(entry?.name) ?? name, version, skip: null } : { key, name: asString(entry?.name) ?? name, version: null, skip };
    }
    nodes.set(key, result);
    return result;
  };
  const importerReference = (record: Record<string, unknown>, name: string): string | null => {
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
      const value = asRecord(record[field])?.[name];
      const reference = asString(value) ?? asString(asRecord(value)?.version);
      if (reference !== null) return reference;
    }
    return null;
  };
  return {
    path: file.path,
    folder,
    format: `pnpm v${major}`,
    serves: (rel) => importer(rel) !== null,
    resolve: (rel, name) => {
      const record = importer(rel);
      const reference = record ? importerReference(record, name) : null;
      return reference === null ? null : nodeFor(name, reference);
    },
    children: (node) => {
      const entry = asRecord(graph[node.key]);
      return entry ? dependencyMaps(entry, ['dependencies', 'optionalDependencies']).map(([name, reference]) => nodeFor(name, reference)) : [];
    },
    lines: (wanted) => {
      const keyLines = pnpmPackageLines(file.text);
      const result = new Map<string, number>();
      for (const node of wanted) {
        const base = node.version === null ? node.key : major >= 9 ? `${node.name}@${node.version}` : major >= 6 ? `/${node.name}@${node.version}` : `/${node.name}/${node.version}`;
        result.set(node.key, keyLines.get(node.key) ?? keyLines.get(base) ?? [...keyLines.entries()].find(([key]) => key.startsWith(base))?.[1] ?? 1);
      }
      return result;
    },
  };
}

/** Keys of the top-level `packages:` mapping (indented two spaces, possibly quoted) → their 1-based lines. */
function pnpmPackageLines(text: string): Map<string, number> {
  const lines = text.split('\n');
  const result = new Map<string, number>();
  let inPackages = false;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    if (/^\S/.test(line)) {
      inPackages = /^packages:\s*$/.test(line);
      continue;
    }
    if (!inPackages) continue;
    const match = /^ {2}(?!\s)(['"]?)(.+?)\1:\s*(\{\s*\}\s*)?$/.exec(line);
    if (match?.[2]) result.set(match[2], i + 1);
  }
  return result;
}
