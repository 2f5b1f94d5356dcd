import { resolve } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import type { OutputSpec } from './formats.js';

/** Where the CLI's text goes; tests pass their own. */
export interface Io {
  readonly cwd: string;
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The clock (today's date decides whether a suppression has expired); the real one when absent. */
  readonly now?: () => Date;
}

/** Colour on a terminal only; NO_COLOR turns it off, FORCE_COLOR on (https://no-color.org). */
export function useColor(io: Io, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0') return true;
  return io.stdout.isTTY === true;
}

/** Writes each rendered output to its file (atomically) or to stdout. */
export function emit(io: Io, spec: OutputSpec, content: string): void {
  if (spec.file === null || spec.file === '-') io.stdout.write(content);
  else writeFileAtomic(resolve(io.cwd, spec.file), content);
}
