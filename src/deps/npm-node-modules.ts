/**
 * A checked-in (or present) node_modules folder: the walk skips node_modules, so the npm reader looks into
 * `<app>/node_modules` itself with a targeted fdir crawl that only enters package folders, scopes, nested
 * node_modules and pnpm's `.pnpm` store, never follows symlinks, and never leaves the scan root.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { decodeUtf8, readRegularFile } from '../io/read-file.js';
import { isAbsolute, join, relative, sep } from 'node:path';
import { fdir } from 'fdir';
import { isInside, toPosix } from '../walk/walk.js';
import { asRecord, asString } from './files.js';
import { jsonPathKey, locateJson } from './json-text.js';
import { joinPath } from './types.js';

/** One package.json found under node_modules. */
export interface InstalledPackage {
  /** Root-relative path of the package.json. */
  readonly path: string;
  readonly name: string;
  readonly version: string | null;
  readonly line: number;
  /** Directly under `<app>/node_modules` (what `require(name)` from the app finds first). */
  readonly topLevel: boolean;
}

const maxPackageJsonSize = 1024 * 1024;

type State = 'modules' | 'scope' | 'package' | 'pnpm' | 'pnpm-entry';

/** Walks the folder grammar of node_modules; null means "do not enter". */
function step(state: State, segment: string): State | null {
  switch (state) {
    case 'modules':
      if (segment === '.pnpm') return 'pnpm';
      if (segment.startsWith('.')) return null;
      return segment.startsWith('@') ? 'scope' : 'package';
    case 'scope':
      return segment.startsWith('.') ? null : 'package';
    case 'package':
      return segment === 'node_modules' ? 'modules' : null;
    case 'pnpm':
      return segment === 'node_modules' ? null : 'pnpm-entry';
    case 'pnpm-entry':
      return segment === 'node_modules' ? 'modules' : null;
  }
}

function stateOf(segments: readonly string[]): State | null {
  let state: State | null = 'modules';
  for (const segment of segments) {
    if (state === null) return null;
    state = step(state, segment);
  }
  return state;
}

/** The package name a package folder holds, from its path segments under node_modules. */
function packageName(segments: readonly string[]): string {
  const last = segments[segments.length - 1] ?? '';
  const before = segments[segments.length - 2] ?? '';
  return before.startsWith('@') ? `${before}/${last}` : last;
}

/**
 * The package.json files under `<root>/<folder>/node_modules` whose package name `wanted` accepts (nested copies and
 * pnpm's store included). Empty when there is no node_modules, or it is a symlink, or it resolves outside the root.
 */
export function readNodeModules(root: string, folder: string, wanted: (name: string) => boolean): InstalledPackage[] {
  const base = join(root, ...(folder === '.' ? [] : folder.split('/')), 'node_modules');
  try {
    if (lstatSync(base).isSymbolicLink() || !lstatSync(base).isDirectory()) return [];
    if (!isInside(realpathSync(root), realpathSync(base))) return [];
  } catch {
    return [];
  }
  const segmentsOf = (absolute: string): string[] => toPosix(relative(base, absolute)).split('/').filter((part) => part !== '');
  const files = new fdir()
    .withFullPaths()
    .exclude((_name, dirPath) => stateOf(segmentsOf(dirPath)) === null)
    .filter((path) => {
      if (!path.endsWith(`${sep}package.json`)) return false;
      const segments = segmentsOf(path).slice(0, -1);
      return stateOf(segments) === 'package' && wanted(packageName(segments));
    })
    .crawl(base)
    .sync();
  const found: InstalledPackage[] = [];
  for (const absolute of files.sort()) {
    const segments = segmentsOf(absolute).slice(0, -1);
    // A link, FIFO or device named package.json is not read; nor is one over the cap.
    const read = readRegularFile(absolute, { maxBytes: maxPackageJsonSize, noFollow: true, checkFilesystem: false });
    if (!read.ok) continue;
    const text = decodeUtf8(read.bytes).text;
    let manifest: Record<string, unknown> | null;
    try {
      manifest = asRecord(JSON.parse(text));
    } catch {
      continue; // An installed package.json that does not parse is not the application's to fix.
    }
    const offset = locateJson(text, [['version']]).get(jsonPathKey(['version'])) ?? 0;
    found.push({
      path: joinPath(folder, `node_modules/${segments.join('/')}/package.json`),
      name: asString(manifest?.name) ?? packageName(segments),
      version: asString(manifest?.version),
      line: text.slice(0, offset).split('\n').length,
      topLevel: segments.length === (segments[0]?.startsWith('@') ? 2 : 1),
    });
  }
  return found;
}
