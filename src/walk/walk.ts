import { compareStrings } from '../model/location.js';
import { isUtf8 } from 'node:buffer';
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { fdir } from 'fdir';
import ignore, { type Ignore } from 'ignore';
import { decodeUtf8, escapeBytes, readRegularFile } from '../io/read-file.js';
import { GitSession } from './git.js';
import { stripTrailing } from '../model/text.js';

/** A file under the scan root. `path` is relative to the root with `/` separators. */
export interface RepoFile {
  readonly path: string;
  readonly absolute: string;
  /**
   * Git's index holds it as a regular file and the walk took its word: nothing was asked of the file system. The
   * reader opens it without following a link and settles there what the work tree holds now (a link, nothing).
   */
  readonly fromIndex?: true;
}

/**
 * Why a listed file was not taken. `not-regular`: a FIFO, socket or device; `invalid-name`: a name that is not UTF-8
 * (its `path` shows the bytes escaped as `\xNN`; a folder's name means nothing under it was read).
 */
export type SkipReason = 'too-large' | 'binary' | 'unreadable' | 'symlink-outside-root' | 'not-regular' | 'invalid-name';

export interface SkippedFile {
  readonly path: string;
  readonly reason: SkipReason;
  readonly size?: number;
}

export interface WalkOptions {
  /** Absolute, real path of the scan root. */
  readonly root: string;
  /** Sub-paths of the root to walk (relative, `/`-separated); empty means the whole root. */
  readonly only: readonly string[];
  /** Extra gitignore-style patterns from --exclude. */
  readonly exclude: readonly string[];
  /** Skip node_modules, vendor, build output and VCS folders. */
  readonly defaultExcludes: boolean;
  /** The run's git answers for this root, when another part of the run asks git too (see GitSession). */
  readonly git?: GitSession;
}

export interface WalkResult {
  readonly files: readonly RepoFile[];
  /** Files the walk itself refused (symlinks leaving the root); reading adds binary and size skips. */
  readonly skipped: readonly SkippedFile[];
  /** `git` when `git ls-files` listed the work tree (exact .gitignore semantics), else `filesystem`. */
  readonly method: 'git' | 'filesystem';
}

/**
 * Folders that hold dependencies, build output or VCS data. `build/` is deliberately absent: Go projects keep
 * Dockerfiles and manifests there.
 */
export const defaultExcludedDirectories: readonly string[] = [
  '.git', '.hg', '.svn', 'node_modules', 'bower_components', 'vendor', 'dist', 'target', 'obj', 'out',
  '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache', '.terraform', '.gradle', '.next', '.nuxt', 'coverage',
];

const defaultExcludedPatterns = [...defaultExcludedDirectories.map((name) => `${name}/`), 'bin/Debug/', 'bin/Release/'];

/**
 * Lists the files under the root: `git ls-files` in a work tree (fastest, and exactly git's idea of ignored),
 * otherwise fdir with every .gitignore applied as directories are entered. Either way --exclude and the default
 * exclusions apply, and symlinks are only followed when they resolve inside the root.
 */
export function walk(options: WalkOptions): WalkResult {
  const filter = ignore({ allowRelativePaths: true });
  if (options.defaultExcludes) filter.add(defaultExcludedPatterns);
  filter.add([...options.exclude]);
  const excluded = exclusionTest(filter, [...(options.defaultExcludes ? defaultExcludedPatterns : []), ...options.exclude]);

  const fromGit = listWithGit(options.git ?? new GitSession(options.root));
  const method = fromGit && fromGit.paths.length + fromGit.invalid.length > 0 ? 'git' : 'filesystem';
  const listed = method === 'git' && fromGit ? fromGit : listWithFilesystem(options.root, filter);

  const files: RepoFile[] = [];
  const skipped: SkippedFile[] = [];
  // Listed paths are normalised already: on POSIX the absolute path is the root and the path, joined as they are.
  const prefix = options.root.endsWith(sep) ? options.root : `${options.root}${sep}`;
  const absoluteOf = sep === '/' ? (path: string) => `${prefix}${path}` : (path: string) => join(options.root, path);
  for (const path of listed.paths) {
    if (!isUnder(path, options.only)) continue;
    if (excluded(path)) continue;
    const absolute = absoluteOf(path);
    if (listed.indexed?.has(path)) {
      files.push({ path, absolute, fromIndex: true });
      continue;
    }
    const entry = entryKind(options.root, absolute);
    if (entry === 'outside') skipped.push({ path, reason: 'symlink-outside-root' });
    else if (entry === 'not-regular') skipped.push({ path, reason: 'not-regular' });
    else if (entry === 'file') files.push({ path, absolute });
  }
  for (const name of listed.invalid) {
    if (isUnder(name.lossy, options.only) && !isExcluded(filter, name.lossy)) skipped.push({ path: name.escaped, reason: 'invalid-name' });
  }
  files.sort((a, b) => compareStrings(a.path, b.path));
  skipped.sort((a, b) => compareStrings(a.path, b.path));
  return { files, skipped, method };
}

/** A listed name that is not UTF-8: as escaped for messages, and as decoded with U+FFFD (for --exclude and sub-paths). */
interface InvalidName {
  readonly escaped: string;
  readonly lossy: string;
}

interface Listing {
  readonly paths: readonly string[];
  readonly invalid: readonly InvalidName[];
  /** Paths git's index holds as regular files (of `paths`): taken without a `stat` of their own. */
  readonly indexed?: ReadonlySet<string>;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A file name's bytes as text, or null when they are not UTF-8. */
function decodeName(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether `path` is `root` itself or below it (a sibling named `..data` or `...yaml` is inside, `../x` is not). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  if (rel === '') return true;
  if (isAbsolute(rel) || /^[a-zA-Z]:/.test(rel)) return false;
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !rel.startsWith('../');
}

/**
 * The files git lists: what the index holds (`ls-files -s -t`: the mode of each entry, and `S` for the entries a
 * sparse checkout leaves out of the work tree) and what is untracked but not ignored (`ls-files -o
 * --exclude-standard`). A regular file of the index is taken as it is, without a `stat` (on a tree of 100,000 files
 * the `stat`s cost more than both git runs); links, submodules, conflicted and untracked entries are looked at.
 */
function listWithGit(git: GitSession): Listing | null {
  try {
    if (!git.isWorkTree()) return null;
    const staged = git.output(['ls-files', '-z', '-s', '-t']);
    const others = git.untracked();
    const paths: string[] = [];
    const invalid: InvalidName[] = [];
    const indexed = new Set<string>();
    const seen = new Set<string>();
    const add = (name: string | Uint8Array, regular: boolean): void => {
      // A name that is not UTF-8 is reported, never decoded into a path that does not exist.
      if (typeof name !== 'string') invalid.push({ escaped: escapeBytes(name), lossy: Buffer.from(name).toString('utf8') });
      else if (!seen.has(name)) {
        seen.add(name);
        paths.push(name);
        if (regular) indexed.add(name);
      } else indexed.delete(name); // A conflicted path (one entry per stage): looked at like the rest.
    };
    // `<tag> <mode> <object> <stage>\t<path>`: the tag and mode say what the path is.
    for (const [from, to] of records(staged)) {
      const tab = staged.indexOf(9, from);
      if (tab < 0 || tab >= to) continue;
      const [tag, mode, , stage] = staged.toString('latin1', from, tab).split(' ');
      if (tag === 'S') continue;
      add(nameOf(staged, tab + 1, to), (mode === '100644' || mode === '100755') && stage === '0');
    }
    for (const [from, to] of records(others)) add(nameOf(others, from, to), false);
    return { paths, invalid, indexed };
  } catch {
    return null;
  }
}

/** The [start, end) byte ranges of the NUL-terminated records of git's `-z` output. */
function records(out: Buffer): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  while (start < out.length) {
    const end = out.indexOf(0, start);
    const stop = end < 0 ? out.length : end;
    if (stop > start) ranges.push([start, stop]);
    start = stop + 1;
  }
  return ranges;
}

/**
 * The name in bytes [from, to) of git's output: text when it is UTF-8, else its bytes. Each name is a string of its
 * own (not a slice of one string of the whole output, which would keep all of it alive as long as any path).
 */
function nameOf(out: Buffer, from: number, to: number): string | Uint8Array {
  const bytes = out.subarray(from, to);
  return isUtf8(bytes) ? out.toString('utf8', from, to) : bytes;
}

/** The largest .gitignore read (git itself has no limit; 1 MiB of patterns is far beyond any real one). */
const maxGitignoreBytes = 1024 * 1024;

function listWithFilesystem(root: string, filter: Ignore): Listing {
  const gitignores = new Map<string, Ignore>();
  const loadGitignore = (dir: string): void => {
    // Like git (2.32+), a .gitignore that is a symbolic link is not followed; a FIFO or device is never opened.
    const read = readRegularFile(join(dir, '.gitignore'), { maxBytes: maxGitignoreBytes, noFollow: true, checkFilesystem: false });
    if (read.ok) gitignores.set(toPosix(relative(root, dir)), ignore({ allowRelativePaths: true }).add(decodeUtf8(read.bytes).text));
  };
  // Decides like git: rules from the root down, the deepest matching rule wins; an ignored folder is pruned whole.
  const ignored = (path: string, isDirectory: boolean): boolean => {
    if (isExcluded(filter, isDirectory ? `${path}/` : path)) return true;
    let verdict = false;
    const parts = path.split('/');
    for (let depth = 0; depth < parts.length; depth++) {
      const base = parts.slice(0, depth).join('/');
      const rules = gitignores.get(base);
      if (!rules) continue;
      const rest = parts.slice(depth).join('/') + (isDirectory ? '/' : '');
      const result = rules.test(rest);
      if (result.ignored) verdict = true;
      else if (result.unignored) verdict = false;
    }
    return verdict;
  };
  loadGitignore(root);
  // Names that are not UTF-8 reach fdir decoded with U+FFFD; such a path does not exist, so the folder holding it is
  // listed again as bytes to report the real name.
  const suspect = new Set<string>();
  const absolutes = new fdir()
    .withFullPaths()
    .exclude((_name, dirPath) => {
      const path = toPosix(relative(root, dirPath));
      if (path.includes('\ufffd') && !exists(dirPath)) {
        suspect.add(dirPath);
        return true;
      }
      if (ignored(path, true)) return true;
      loadGitignore(dirPath);
      return false;
    })
    .filter((path) => {
      if (path.includes('\ufffd') && !exists(path)) {
        suspect.add(path);
        return false;
      }
      return !ignored(toPosix(relative(root, path)), false);
    })
    .crawl(root)
    .sync();
  return { paths: absolutes.map((path) => toPosix(relative(root, path))), invalid: invalidNames(root, suspect) };
}

/** The names that are not UTF-8 in the folders holding the suspect paths, escaped, with their root-relative folder. */
function invalidNames(root: string, suspects: ReadonlySet<string>): InvalidName[] {
  const folders = new Set<string>();
  for (const path of suspects) {
    const trimmed = stripTrailing(path, '\\/');
    const cut = trimmed.lastIndexOf(sep);
    folders.add(cut < 0 ? root : trimmed.slice(0, cut));
  }
  const found: InvalidName[] = [];
  for (const folder of folders) {
    let entries: Buffer[];
    try {
      entries = readdirSync(folder, { encoding: 'buffer' });
    } catch {
      continue; // The folder's own name is not UTF-8: it is reported from its parent.
    }
    const prefix = toPosix(relative(root, folder));
    for (const entry of entries) {
      if (decodeName(entry) !== null) continue;
      const escaped = escapeBytes(entry);
      const lossy = entry.toString('utf8');
      found.push({ escaped: prefix ? `${prefix}/${escaped}` : escaped, lossy: prefix ? `${prefix}/${lossy}` : lossy });
    }
  }
  return found;
}

/**
 * What a listed path is: a regular file (or a link to one inside the root), a link that leaves the root, something
 * that is not a regular file (FIFO, socket, device), or nothing to read (a folder, gone).
 */
export function entryKind(root: string, absolute: string): 'file' | 'outside' | 'not-regular' | null {
  try {
    const link = lstatSync(absolute);
    if (!link.isSymbolicLink()) return link.isFile() ? 'file' : link.isDirectory() ? null : 'not-regular';
    const target = realpathSync(absolute);
    if (!isInside(root, target) || target === root) return 'outside';
    const stat = statSync(target);
    // A link to a folder inside the root: its files are walked at their real path already.
    return stat.isFile() ? 'file' : stat.isDirectory() ? null : 'not-regular';
  } catch {
    return null;
  }
}

/**
 * Whether a listed file is excluded, as {@link isExcluded} decides. When every pattern names folders only (ends with
 * `/`, no negation: the default exclusions), a file is excluded exactly when its folder is, so each folder is tested
 * once instead of each file.
 */
function exclusionTest(filter: Ignore, patterns: readonly string[]): (path: string) => boolean {
  const foldersOnly = patterns.every((pattern) => pattern.trim() === '' || (pattern.endsWith('/') && !pattern.startsWith('!') && !pattern.startsWith('#')));
  if (!foldersOnly) return (path) => isExcluded(filter, path);
  const folders = new Map<string, boolean>();
  return (path) => {
    const slash = path.lastIndexOf('/');
    if (slash < 0) return false;
    const folder = path.slice(0, slash + 1);
    let verdict = folders.get(folder);
    if (verdict === undefined) {
      verdict = isExcluded(filter, folder);
      folders.set(folder, verdict);
    }
    return verdict;
  };
}

function isExcluded(filter: Ignore, path: string): boolean {
  return path !== '' && path !== '/' && filter.ignores(path);
}

function isUnder(path: string, only: readonly string[]): boolean {
  if (only.length === 0) return true;
  return only.some((prefix) => prefix === '' || path === prefix || path.startsWith(`${prefix}/`));
}

export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
