import { compareStrings } from '../model/location.js';
import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fdir } from 'fdir';
import ignore, { type Ignore } from 'ignore';

/** A file under the scan root. `path` is relative to the root with `/` separators. */
export interface RepoFile {
  readonly path: string;
  readonly absolute: string;
  readonly size: number;
}

/** Why a listed file was not taken. */
export type SkipReason = 'too-large' | 'binary' | 'unreadable' | 'symlink-outside-root';

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

  const fromGit = listWithGit(options.root);
  const method = fromGit && fromGit.length > 0 ? 'git' : 'filesystem';
  const listed = method === 'git' && fromGit ? fromGit : listWithFilesystem(options.root, filter);

  const files: RepoFile[] = [];
  const skipped: SkippedFile[] = [];
  for (const path of listed) {
    if (!isUnder(path, options.only)) continue;
    if (isExcluded(filter, path)) continue;
    const absolute = join(options.root, ...path.split('/'));
    const entry = statEntry(options.root, absolute);
    if (entry === 'outside') skipped.push({ path, reason: 'symlink-outside-root' });
    else if (entry) files.push({ path, absolute, size: entry.size });
  }
  files.sort((a, b) => compareStrings(a.path, b.path));
  return { files, skipped, method };
}

function listWithGit(root: string): string[] | null {
  try {
    const inside = execFileSync('git', ['-C', root, 'rev-parse', '--is-inside-work-tree'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    if (inside.trim() !== 'true') return null;
    const out = execFileSync('git', ['-C', root, 'ls-files', '-z', '-co', '--exclude-standard'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 1 << 30,
    });
    return out.split('\0').filter((path) => path.length > 0);
  } catch {
    return null;
  }
}

function listWithFilesystem(root: string, filter: Ignore): string[] {
  const gitignores = new Map<string, Ignore>();
  const loadGitignore = (dir: string): void => {
    try {
      const text = readFileSync(join(dir, '.gitignore'), 'utf8');
      gitignores.set(toPosix(relative(root, dir)), ignore({ allowRelativePaths: true }).add(text));
    } catch {
      // No .gitignore here: nothing to add.
    }
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
  const absolutes = new fdir()
    .withFullPaths()
    .exclude((_name, dirPath) => {
      const path = toPosix(relative(root, dirPath));
      if (ignored(path, true)) return true;
      loadGitignore(dirPath);
      return false;
    })
    .filter((path) => !ignored(toPosix(relative(root, path)), false))
    .crawl(root)
    .sync();
  return absolutes.map((path) => toPosix(relative(root, path)));
}

function statEntry(root: string, absolute: string): { size: number } | 'outside' | null {
  try {
    const link = lstatSync(absolute);
    if (!link.isSymbolicLink()) return link.isFile() ? { size: link.size } : null;
    const target = realpathSync(absolute);
    const inside = relative(root, target);
    if (inside.startsWith('..') || inside === '' || inside.startsWith(sep) || /^[a-zA-Z]:/.test(inside)) return 'outside';
    const stat = statSync(target);
    // A link to a folder inside the root: its files are walked at their real path already.
    return stat.isFile() ? { size: stat.size } : null;
  } catch {
    return null;
  }
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
