import { compareStrings } from '../model/location.js';
import type { Origin } from './rendered.js';

/**
 * The repository's files as the renderers read them: the scan's walk, or the same files with the fix's edits applied
 * in memory (so a fix is proven by rendering again). Paths are root-relative with `/` separators.
 */
export interface FileSource {
  /** The text of a file (BOM removed), or null when it is absent, skipped or not text. */
  read(path: string): string | null;
  has(path: string): boolean;
  /**
   * The text of a file read once to look for something (a build script's flags), which the reader need not keep
   * in memory afterwards; `read` when absent.
   */
  peek?(path: string): string | null;
  /** Every file under `dir` (`''` for the root), recursively, sorted. */
  list(dir: string): readonly string[];
}

/** Something a renderer could not do, with where; the scan turns each into a finding. */
export interface RenderProblem {
  /** Stable kebab-case code; each renderer documents its closed set. */
  readonly code: string;
  readonly at: Origin;
  readonly message: string;
}

/** A FileSource over a list of paths and a reader (the scan's Repo), and one that does not keep what it reads. */
export function fileSource(paths: readonly string[], read: (path: string) => string | null, peek: (path: string) => string | null = read): FileSource {
  const sorted = [...paths].sort(compareStrings);
  const known = new Set(sorted);
  return {
    read: (path) => (known.has(path) ? read(path) : null),
    peek: (path) => (known.has(path) ? peek(path) : null),
    has: (path) => known.has(path),
    list: (dir) => listUnder(sorted, dir),
  };
}

/** The same files with some replaced, created (a string) or deleted (null). */
export function withChanges(base: FileSource, changes: ReadonlyMap<string, string | null>): FileSource {
  const added = [...changes].filter(([path, text]) => text !== null && !base.has(path)).map(([path]) => path).sort(compareStrings);
  return {
    read: (path) => (changes.has(path) ? (changes.get(path) ?? null) : base.read(path)),
    peek: (path) => (changes.has(path) ? (changes.get(path) ?? null) : (base.peek ?? base.read)(path)),
    has: (path) => (changes.has(path) ? changes.get(path) !== null : base.has(path)),
    list: (dir) => {
      const listed = base.list(dir).filter((path) => !changes.has(path) || changes.get(path) !== null);
      const extra = listUnder(added, dir);
      return extra.length === 0 ? listed : [...listed, ...extra].sort(compareStrings);
    },
  };
}

/** Paths of a sorted list under a folder, by binary search for the folder's prefix. */
function listUnder(sorted: readonly string[], dir: string): readonly string[] {
  if (dir === '' || dir === '.') return sorted;
  const prefix = `${dir.replace(/\/+$/, '')}/`;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? '') < prefix) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < sorted.length && (sorted[i] ?? '').startsWith(prefix); i++) out.push(sorted[i] ?? '');
  return out;
}
