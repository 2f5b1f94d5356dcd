import type { Io } from '../../src/cli/output.js';

/** An Io that keeps what the CLI writes. */
export interface CapturedIo extends Io {
  readonly out: () => string;
  readonly err: () => string;
}

/** The CLI's Io for a test: stdout and stderr kept in memory; not a terminal unless `tty`. */
export function captureIo(cwd: string, options: { env?: Readonly<Record<string, string>>; tty?: boolean; columns?: number; now?: Date } = {}): CapturedIo {
  let out = '';
  let err = '';
  const { now } = options;
  return {
    cwd,
    env: options.env ?? {},
    ...(now ? { now: () => now } : {}),
    stdout: { write: (text: string) => (out += text), isTTY: options.tty ?? false, ...(options.columns === undefined ? {} : { columns: options.columns }) },
    stderr: { write: (text: string) => (err += text) },
    out: () => out,
    err: () => err,
  };
}
