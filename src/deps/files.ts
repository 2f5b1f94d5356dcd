/**
 * Reading dependency files for the readers: text through the Repo (so size caps and binary checks apply), parsed
 * JSON with error positions, line numbers, and the findings for what cannot be read. Parsed files are cached per scan.
 */
import { LineIndex } from '../k8s/line-index.js';
import type { TextFile } from '../walk/repo.js';
import { parseJsonText } from './json-text.js';
import { cached, type ReadContext } from './types.js';

/** Reads a dependency file; a file the walk listed but the Repo refused to read becomes a `dependency-file-skipped` note (once). */
export function readText(context: ReadContext, path: string): TextFile | null {
  const file = context.repo.read(path);
  if (file === null && context.repo.has(path)) {
    cached(context, `skipped:${path}`, () => {
      context.sink.add('dependency-file-skipped', { file: path, line: 1, column: 1 }, `${path} was not read (too large, binary or unreadable): its versions are unknown`);
      return true;
    });
  }
  return file;
}

/** The 1-based line and column of an offset in a file's text (index cached per file). */
export function positionAt(context: ReadContext, file: TextFile, offset: number): { line: number; column: number } {
  const index = cached(context, `lines:${file.path}`, () => new LineIndex(file.text));
  return index.position(Math.max(0, Math.min(offset, file.text.length)));
}

export function lineAt(context: ReadContext, file: TextFile, offset: number): number {
  return positionAt(context, file, offset).line;
}

/** Reports a file that does not parse, at the line and column of the error. */
export function reportParseError(context: ReadContext, path: string, line: number, column: number, what: string, message: string): void {
  context.sink.add('dependency-file-parse-error', { file: path, line: Math.max(1, line), column: Math.max(1, column) }, `${what} does not parse: ${message}`);
}

/** A parsed JSON file with its text, or null when absent, unreadable or invalid (each reported once). */
export function readJson(context: ReadContext, path: string, what: string): { file: TextFile; value: unknown } | null {
  return cached(context, `json:${path}`, () => {
    const file = readText(context, path);
    if (!file) return null;
    const parsed = parseJsonText(file.text);
    if (!parsed.ok) {
      const at = positionAt(context, file, parsed.offset);
      reportParseError(context, path, at.line, at.column, what, parsed.message);
      return null;
    }
    return { file, value: parsed.value };
  });
}

/** A plain object (not an array, not null), or null. */
export function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

export function asString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The 1-based line of the first line whose text satisfies `test`, starting at line `from`; null if none. */
export function findLine(text: string, test: (line: string) => boolean, from = 1): number | null {
  const lines = text.split('\n');
  for (let i = Math.max(0, from - 1); i < lines.length; i++) if (test(lines[i] ?? '')) return i + 1;
  return null;
}

/** The first line of a `yaml` parse error, without the position the finding already carries. */
export function yamlMessage(error: unknown): string {
  const first = ((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '').trim();
  return first.replace(/ at line \d+, column \d+:?$/, '');
}
