import { compareStrings } from '../model/location.js';
import { decodeUtf8, ReadBuffer, readRegularFile } from '../io/read-file.js';
import { entryKind, type RepoFile, type SkippedFile } from './walk.js';

/**
 * A text file as pod2wi reads it: the BOM is removed from `text` and remembered, so writers can restore it. Offsets
 * into `text` are offsets into the file's characters after the BOM; the two optional fields say where `text` is not
 * the file's exact content, so a writer refuses (or restores) rather than writes something else back.
 */
export interface TextFile {
  readonly path: string;
  readonly text: string;
  readonly bom: boolean;
  /**
   * The file holds bytes that are not UTF-8 (first on `line`); `text` has U+FFFD for them, so writing `text` back
   * would change those bytes. Absent for valid UTF-8.
   */
  readonly lossy?: { readonly line: number };
  /**
   * The file breaks lines with a lone CR (classic Mac OS). Parsers only know LF and CRLF, so `text` has each lone CR
   * replaced by LF, one character for one (offsets unchanged): `cr` when every line break was a lone CR (a writer
   * turns LF back into CR), `mixed` when lone CRs sit beside LF or CRLF (the file cannot be written back exactly).
   * Absent when no lone CR was found.
   */
  readonly lineBreaks?: 'cr' | 'mixed';
}

/** Lone CRs as LF (same length), and which kind of file that was; the text unchanged when it has none. */
export function presentLineBreaks(text: string): { text: string; lineBreaks: 'cr' | 'mixed' | null } {
  // Most files hold no CR at all: one character search settles them before the regular expression runs.
  if (!text.includes('\r') || !/\r(?!\n)/.test(text)) return { text, lineBreaks: null };
  return { text: text.replace(/\r(?!\n)/g, '\n'), lineBreaks: text.includes('\n') ? 'mixed' : 'cr' };
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
  /** Every read goes through this one buffer: the text is decoded at once, the bytes are never kept. */
  readonly #scratch = new ReadBuffer();

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

  /**
   * Reads a file by its root-relative path; `null` when it is not in the walk or was skipped. `cache: false` is for
   * stages that read every source file once (the code stage): the text is not kept, so memory stays flat on big trees.
   */
  read(path: string, options: { readonly cache?: boolean } = {}): TextFile | null {
    const cached = this.#cache.get(path);
    if (cached !== undefined) return cached;
    const file = this.#byPath.get(path);
    const text = file ? this.#load(file) : null;
    if (options.cache !== false || text === null) this.#cache.set(path, text);
    return text;
  }

  /** Files skipped so far (walk refusals plus reads refused), sorted by path. */
  get skipped(): readonly SkippedFile[] {
    return [...this.#skipped].sort((a, b) => compareStrings(a.path, b.path));
  }

  #load(file: RepoFile): TextFile | null {
    // The cap and the kind of file are decided on the open handle (the file may have been replaced since the walk).
    // A file taken from git's index is opened without following a link: the work tree may hold a link there now.
    const options = { maxBytes: this.#maxFileSize, checkFilesystem: false, scratch: this.#scratch };
    let read = readRegularFile(file.absolute, { ...options, noFollow: file.fromIndex === true });
    if (!read.ok && file.fromIndex) {
      // Gone from the work tree (deleted, or left out of a sparse checkout): as if the walk had not listed it.
      if (read.reason === 'not-found') return null;
      if (read.reason === 'symlink') {
        const kind = entryKind(this.root, file.absolute);
        if (kind === null) return null;
        if (kind !== 'file') {
          this.#skipped.push({ path: file.path, reason: kind === 'outside' ? 'symlink-outside-root' : 'not-regular' });
          return null;
        }
        read = readRegularFile(file.absolute, options);
      }
    }
    if (!read.ok) {
      if (read.reason === 'too-large') this.#skipped.push({ path: file.path, reason: 'too-large', ...(read.size === null ? {} : { size: read.size }) });
      else if (read.reason === 'not-regular' || read.reason === 'pseudo') this.#skipped.push({ path: file.path, reason: 'not-regular' });
      else this.#skipped.push({ path: file.path, reason: 'unreadable' });
      return null;
    }
    if (isBinary(read.bytes)) {
      this.#skipped.push({ path: file.path, reason: 'binary', size: read.size });
      return null;
    }
    const decoded = decodeUtf8(read.bytes);
    const breaks = presentLineBreaks(decoded.text);
    return {
      path: file.path,
      text: breaks.text,
      bom: decoded.bom,
      ...(decoded.lossy ? { lossy: { line: decoded.lossyLine ?? 1 } } : {}),
      ...(breaks.lineBreaks ? { lineBreaks: breaks.lineBreaks } : {}),
    };
  }
}

/** git's heuristic: a NUL byte in the first 8000 bytes means binary. */
export function isBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, 8000);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}
