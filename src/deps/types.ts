import type { Ecosystem, VersionResolution } from '../model/application.js';
import type { FindingSink } from '../model/findings-sink.js';
import type { Repo } from '../walk/repo.js';
import type { DependencyKnowledge } from './knowledge.js';
import type { SkipReason } from './skip.js';

/**
 * A dependency as a reader found it, before the rules give it a verdict. `direct` is false for what only a lockfile
 * (or an `// indirect` go.mod line) shows; `managedBy` names the BOM that supplied the version.
 */
export interface FoundDependency {
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly version: string | null;
  readonly declared: string | null;
  readonly resolution: VersionResolution;
  readonly skip: SkipReason | null;
  readonly file: string;
  readonly line: number;
  readonly direct: boolean;
  readonly managedBy?: string;
}

/** One application folder as the readers see it: its path and the names of the files directly in it. */
export interface AppFolder {
  /** Relative to the scan root, `.` for the root. */
  readonly path: string;
  /** Base names of the walked files in this folder, sorted. */
  readonly files: readonly string[];
}

/**
 * What every reader receives: the repository, the sink, the rules, and a cache of parsed files shared by all
 * applications of one scan (a root lockfile serves many workspace members; a parent POM many modules).
 */
export interface ReadContext {
  readonly repo: Repo;
  readonly sink: FindingSink;
  readonly knowledge: DependencyKnowledge;
  readonly cache: Map<string, unknown>;
  /** Every declared dependency will be listed (--all-dependencies), so lockfiles cannot be skipped by a prefilter. */
  readonly allDependencies: boolean;
}

/** What a reader returns for one folder: the application's name from its manifest (if it has one) and its dependencies. */
export interface ReaderResult {
  readonly name: string | null;
  readonly dependencies: readonly FoundDependency[];
  /** Other application folders built into this one (a .NET ProjectReference), with where each is named. */
  readonly includes?: readonly Include[];
}

/** An application folder built into another: its code runs in the other's process. */
export interface Include {
  readonly path: string;
  readonly file: string;
  readonly line: number;
}

/**
 * One ecosystem's reader. `marks` says whether a file name makes its folder an application of this ecosystem;
 * `read` reads that folder (and whatever files outside it the ecosystem's rules bring in: parent POMs,
 * Directory.Packages.props, a workspace root's lockfile).
 */
export interface DependencyReader {
  readonly ecosystem: Ecosystem;
  marks(fileName: string): boolean;
  read(folder: AppFolder, context: ReadContext): ReaderResult;
}

/** Memoises one computation per key in the scan's cache (the value type is the caller's to keep consistent). */
export function cached<T>(context: ReadContext, key: string, compute: () => T): T {
  if (context.cache.has(key)) return context.cache.get(key) as T;
  const value = compute();
  context.cache.set(key, value);
  return value;
}

/** Joins a folder (`.` for the root) and a relative name into a root-relative path. */
export function joinPath(folder: string, name: string): string {
  return folder === '.' || folder === '' ? name : `${folder}/${name}`;
}

/** The folder of a root-relative path (`.` for the root). */
export function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '.' : path.slice(0, slash);
}

/** Resolves `relative` (with `..` and `.`) against `folder`; null when it leaves the scan root. */
export function resolvePath(folder: string, relative: string): string | null {
  const parts = folder === '.' ? [] : folder.split('/');
  for (const part of relative.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.length === 0 ? '.' : parts.join('/');
}

/** The folders from `folder` up to the root, nearest first (`a/b` → `a/b`, `a`, `.`). */
export function ancestors(folder: string): string[] {
  const result: string[] = [];
  let current = folder;
  for (;;) {
    result.push(current);
    if (current === '.') return result;
    current = folderOf(current);
  }
}
