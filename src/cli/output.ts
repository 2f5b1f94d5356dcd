import { resolve } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import { UsageError } from '../model/errors.js';
import { severities, type Severity } from '../model/finding.js';
import { resolveWidth } from '../model/width.js';
import type { OutputSpec } from './formats.js';

/** Where the CLI's text goes; tests pass their own. */
export interface Io {
  readonly cwd: string;
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
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

/**
 * Writes each rendered output to its file (atomically) or to stdout. The path was checked before the run; a write
 * that still fails (the folder vanished, the disk is full) is a usage error naming the file, not a crash.
 */
export function emit(io: Io, spec: OutputSpec, content: string): void {
  if (spec.file === null || spec.file === '-') {
    io.stdout.write(content);
    return;
  }
  writeOutput(resolve(io.cwd, spec.file), spec.file, content);
}

/** Writes one output file atomically; a failure names the file and the system's reason. */
export function writeOutput(absolute: string, display: string, content: string): void {
  try {
    writeFileAtomic(absolute, content);
  } catch (error) {
    throw new UsageError(`${display}: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** The options every command that prints findings as text shares. */
export interface TextFlags {
  readonly verbose?: boolean;
  readonly quiet?: boolean;
  readonly minSeverity?: string;
  readonly width?: string;
}

/** Reads `--min-severity`: note (the default, everything), warning or error. */
export function parseMinSeverity(value: string | undefined): Severity {
  if (value === undefined) return 'note';
  const found = severities.find((severity) => severity === value.trim().toLowerCase());
  if (!found) throw new UsageError(`--min-severity ${value}: expected note, warning or error`);
  return found;
}

/** The width text on stdout is laid out for: `--width`, else COLUMNS, else the terminal's, else 80. */
export function textWidth(io: Io, flag: string | undefined, toFile: boolean): number {
  const width = resolveWidth({ flag, env: io.env, stream: toFile ? {} : io.stdout });
  if (width === null) throw new UsageError(`--width ${flag ?? ''}: expected a number of columns, e.g. 100`);
  return width;
}
