import { closeSync, constants, fstatSync, openSync, readSync, statfsSync } from 'node:fs';

/**
 * Why a file was not read. `not-regular`: a folder, FIFO, socket or device; `pseudo`: a file of a kernel filesystem
 * (/proc, /sys) or one that holds more bytes than its size says; `too-large`: over the cap; `symlink`: a link where
 * links are refused; `not-found` and `unreadable` speak for themselves.
 */
export type ReadRefusal = 'not-found' | 'not-regular' | 'pseudo' | 'too-large' | 'symlink' | 'unreadable';

/** The bytes of a regular file, or why it was refused (with the size the handle reported, when known). */
export type ReadResult =
  | { readonly ok: true; readonly bytes: Buffer; readonly size: number }
  | { readonly ok: false; readonly reason: ReadRefusal; readonly size: number | null; readonly detail: string };

export interface ReadOptions {
  /** The most bytes accepted; a larger file is `too-large` and at most `maxBytes + 1` bytes are ever read. */
  readonly maxBytes: number;
  /** Refuse a symbolic link at the last component (O_NOFOLLOW) instead of reading its target. */
  readonly noFollow?: boolean;
  /**
   * Also refuse files of kernel filesystems by asking statfs (for paths named on the command line). Reads inside a
   * scanned tree skip it: the root was checked, and a /proc file still fails the size test below.
   */
  readonly checkFilesystem?: boolean;
  /**
   * Read into this buffer instead of a new one: the returned bytes are then a view of it, valid until its next read.
   * For callers that decode at once and keep only the text (a scan reads tens of thousands of files).
   */
  readonly scratch?: ReadBuffer;
}

/** One buffer reused by successive reads (see {@link ReadOptions.scratch}); it grows to the largest file read. */
export class ReadBuffer {
  #buffer: Buffer = Buffer.allocUnsafe(64 * 1024);

  /** The buffer, at least `size` bytes long; earlier contents are not kept. */
  take(size: number): Buffer {
    if (this.#buffer.length < size) this.#buffer = Buffer.allocUnsafe(Math.max(size, this.#buffer.length * 2));
    return this.#buffer;
  }
}

/**
 * Kernel filesystems whose files are not data: reading them can block, never end, or expose the process itself.
 * statfs magic numbers from linux/magic.h.
 */
const pseudoFilesystems: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1373, 'devtmpfs'],
  [0x1cd1, 'devpts'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0xcafe4a11, 'bpf'],
]);

/** The kernel filesystem `path` lives on (`proc`, `sysfs`…), or null for ordinary storage or when unknown. */
export function pseudoFilesystemOf(path: string): string | null {
  try {
    return pseudoFilesystems.get(Number(statfsSync(path).type)) ?? null;
  } catch {
    return null;
  }
}

/**
 * Reads a file only when it is a regular file within the cap, deciding on the open handle: the file is opened
 * non-blocking (a FIFO cannot stall the open), `fstat` on that handle says what it is and how large (no separate
 * `stat` another process could race), and reading stops after `maxBytes + 1` bytes whatever the file claims.
 * A regular file that yields more bytes than its size (a /proc file reports 0) is refused as `pseudo`.
 */
export function readRegularFile(path: string, options: ReadOptions): ReadResult {
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (options.noFollow ? (constants.O_NOFOLLOW ?? 0) : 0);
  let fd: number;
  try {
    fd = openSync(path, flags);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'not-found', size: null, detail: 'no such file' };
    if (code === 'ELOOP' && options.noFollow) return { ok: false, reason: 'symlink', size: null, detail: 'a symbolic link' };
    if (code === 'EISDIR') return { ok: false, reason: 'not-regular', size: null, detail: 'a folder, not a file' };
    if (code === 'ENXIO') return { ok: false, reason: 'not-regular', size: null, detail: 'a socket or FIFO, not a regular file' };
    return { ok: false, reason: 'unreadable', size: null, detail: (error as Error).message };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, reason: 'not-regular', size: null, detail: describeKind(stat) };
    const pseudo = options.checkFilesystem === false ? null : pseudoFilesystemOf(path);
    if (pseudo) return { ok: false, reason: 'pseudo', size: null, detail: `a file of the ${pseudo} kernel filesystem` };
    if (stat.size > options.maxBytes) return { ok: false, reason: 'too-large', size: stat.size, detail: `${stat.size} bytes, over the ${options.maxBytes}-byte limit` };
    const limit = Math.min(stat.size, options.maxBytes) + 1;
    const buffer = options.scratch ? options.scratch.take(limit) : Buffer.allocUnsafe(limit);
    let length = 0;
    while (length < limit) {
      const read = readSync(fd, buffer, length, limit - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > stat.size) {
      return length > options.maxBytes
        ? { ok: false, reason: 'too-large', size: length, detail: `more than ${options.maxBytes} bytes (it grew while read)` }
        : { ok: false, reason: 'pseudo', size: stat.size, detail: `it holds more bytes than its size (${stat.size}) says` };
    }
    return { ok: true, bytes: buffer.subarray(0, length), size: length };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN' || code === 'EISDIR') return { ok: false, reason: 'not-regular', size: null, detail: 'not a regular file' };
    return { ok: false, reason: 'unreadable', size: null, detail: (error as Error).message };
  } finally {
    closeSync(fd);
  }
}

function describeKind(stat: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (stat.isDirectory()) return 'a folder, not a file';
  if (stat.isFIFO()) return 'a FIFO, not a regular file';
  if (stat.isSocket()) return 'a socket, not a regular file';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device, not a regular file';
  return 'not a regular file';
}

/** The text of a UTF-8 file, and whether decoding it replaced invalid bytes (then `text` holds U+FFFD for them). */
export interface DecodedText {
  readonly text: string;
  /** The file starts with a UTF-8 BOM; it is not part of `text`. */
  readonly bom: boolean;
  /** Invalid UTF-8 bytes were replaced: writing `text` back would not give the file's bytes. */
  readonly lossy: boolean;
  /** 1-based line of the first invalid byte, when lossy. */
  readonly lossyLine: number | null;
}

/** Decodes UTF-8, strictly first; a file with invalid bytes is decoded with replacement and marked lossy. */
export function decodeUtf8(bytes: Uint8Array): DecodedText {
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = bom ? bytes.subarray(3) : bytes;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body), bom, lossy: false, lossyLine: null };
  } catch {
    const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(body);
    return { text, bom, lossy: true, lossyLine: firstInvalidLine(body) };
  }
}

/** The 1-based line holding the first byte sequence that is not UTF-8. */
function firstInvalidLine(bytes: Uint8Array): number {
  let line = 1;
  let lineStart = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    try {
      decoder.decode(bytes.subarray(lineStart, i));
    } catch {
      return line;
    }
    line++;
    lineStart = i + 1;
  }
  return line;
}

/** Escapes bytes that are not printable UTF-8 as `\xNN`, for showing a name that is not text. */
export function escapeBytes(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  while (i < bytes.length) {
    const byte = bytes[i] ?? 0;
    const width = byte < 0x80 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 0;
    if (width === 1) {
      out += byte < 0x20 || byte === 0x7f || byte === 0x5c ? `\\x${byte.toString(16).padStart(2, '0')}` : String.fromCharCode(byte);
      i++;
      continue;
    }
    if (width > 1 && i + width <= bytes.length) {
      try {
        out += decoder.decode(bytes.subarray(i, i + width));
        i += width;
        continue;
      } catch {
        // Not a valid sequence: escape its first byte and go on.
      }
    }
    out += `\\x${byte.toString(16).padStart(2, '0')}`;
    i++;
  }
  return out;
}
