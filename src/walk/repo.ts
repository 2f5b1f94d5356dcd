import { compareStrings } from '../model/location.js';
import { readFileSync } from 'node:fs';
import type { RepoFile, SkippedFile } from './walk.js';

/** A text file as pod2wi reads it: the BOM is removed from `text` and remembered, so writers can restore it. */
export interface TextFile {
  readonly path: string;
  readonly text: string;
  readonly bom: boolean;
}

/**
 * The files of one scan, read on demand. Reading refuses binary files and files over the size cap and records why,
 * so only files some stage wanted produce a note. Not shared between scans.
 */
export class Repo {
  readonly root: string;
  readonly files: readonly RepoFile[];
  readonly #byPath: Map<string, RepoFile>;
  readonly #cache = new Map<string, TextFile | null>();
  readonly #skipped: SkippedFile[];
  readonly #maxFileSize: number;

  constructor(root: string, files: readonly RepoFile[], skipped: readonly SkippedFile[], maxFileSize: number) {
    this.root = root;
    this.files = files;
    this.#byPath = new Map(files.map((file) => [file.path, file]));
    this.#skipped = [...skipped];
    this.#maxFileSize = maxFileSize;
  }

  has(path: string): boolean {
    return this.#byPath.has(path);
  }

  /** Reads a file by its root-relative path; `null` when it is not in the walk or was skipped. */
  read(path: string): TextFile | null {
    const cached = this.#cache.get(path);
    if (cached !== undefined) return cached;
    const file = this.#byPath.get(path);
    const text = file ? this.#load(file) : null;
    this.#cache.set(path, text);
    return text;
  }

  /** Files skipped so far (walk refusals plus reads refused), sorted by path. */
  get skipped(): readonly SkippedFile[] {
    return [...this.#skipped].sort((a, b) => compareStrings(a.path, b.path));
  }

  #load(file: RepoFile): TextFile | null {
    if (file.size > this.#maxFileSize) {
      this.#skipped.push({ path: file.path, reason: 'too-large', size: file.size });
      return null;
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(file.absolute);
    } catch {
      this.#skipped.push({ path: file.path, reason: 'unreadable' });
      return null;
    }
    if (isBinary(bytes)) {
      this.#skipped.push({ path: file.path, reason: 'binary', size: file.size });
      return null;
    }
    const decoded = bytes.toString('utf8');
    const bom = decoded.charCodeAt(0) === 0xfeff;
    return { path: file.path, text: bom ? decoded.slice(1) : decoded, bom };
  }
}

/** git's heuristic: a NUL byte in the first 8000 bytes means binary. */
export function isBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, 8000);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}
