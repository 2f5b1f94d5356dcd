import { UsageError } from '../model/errors.js';

/** One requested output: a format and, optionally, the file it goes to (stdout otherwise). */
export interface OutputSpec {
  readonly format: string;
  readonly file: string | null;
}

/**
 * Reads `--format text --format json=report.json` plus `--output FILE`. `--output` is the file of the one format
 * given without `=FILE`; asking for two formats on stdout is a usage error (they would interleave).
 */
export function parseOutputs(formats: readonly string[], output: string | undefined, allowed: readonly string[]): OutputSpec[] {
  const specs = (formats.length ? formats : ['text']).flatMap((value) => value.split(',')).map((value): OutputSpec => {
    const eq = value.indexOf('=');
    const format = (eq < 0 ? value : value.slice(0, eq)).trim().toLowerCase();
    const file = eq < 0 ? null : value.slice(eq + 1).trim();
    if (!allowed.includes(format)) throw new UsageError(`unknown format "${format}" (expected ${allowed.join(', ')})`);
    if (file === '') throw new UsageError(`--format ${format}=: the file name is empty`);
    return { format, file };
  });
  const onStdout = specs.filter((spec) => spec.file === null);
  if (output !== undefined) {
    if (onStdout.length !== 1) throw new UsageError('--output names the file of exactly one format given without =FILE');
    return specs.map((spec) => (spec.file === null ? { ...spec, file: output } : spec));
  }
  if (onStdout.length > 1) throw new UsageError(`formats ${onStdout.map((spec) => spec.format).join(' and ')} would both print to stdout; give one a file: --format ${onStdout[1]?.format}=FILE`);
  return specs;
}

/** Byte sizes as users write them: 5242880, 5MB, 512k, 2MiB. */
export function parseSize(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i.exec(value.trim());
  if (!match) throw new UsageError(`--max-file-size ${value}: expected a size such as 5MB, 512k or 1048576`);
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('g') ? 1024 ** 3 : 1;
  return Math.floor(Number(match[1]) * factor);
}
