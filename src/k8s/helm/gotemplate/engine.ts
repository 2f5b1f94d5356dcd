import { LineIndex } from '../../line-index.js';
import type { Origin, SourceKind } from '../../rendered.js';
import { builtinFunctions } from './functions/builtin.js';
import { ExecError, Executor, FailError, LimitError, type ExecOptions, type ExecProblem, type FunctionTable, type Template } from './exec.js';
import { parse, ParseError, type ParseOptions } from './parse.js';
import { Rope, UnknownTable, type MapEntry, type Segment, type TemplateSource, type Value } from './values.js';

/**
 * Plumbing around the interpreter: template sources over files or strings, JSON data as Go values, and a one-call
 * `renderText` that runs a template text the way Go's `template.New("tpl").Parse(text).Execute(data)` does.
 */

const viaLimit = 160;

/** A template whose text is a file's text: literal text is verbatim in that file. */
export function fileTemplateSource(name: string, file: string, text: string, source: SourceKind = 'chart-template'): TemplateSource {
  let index: LineIndex | null = null;
  const position = (offset: number) => {
    index ??= new LineIndex(text);
    return index.position(offset);
  };
  return {
    name,
    text,
    file,
    actionOrigin(start: number, end: number): Origin {
      const { line, column } = position(start);
      const via = text.slice(start, Math.min(end, start + viaLimit));
      return { source, file, line, column, span: null, via: end - start > viaLimit ? `${via}…` : via };
    },
    literal(start: number, end: number): readonly Segment[] {
      return start >= end ? [] : [{ text: text.slice(start, end), src: { k: 'file', source, file, start } }];
    },
  };
}

/** A template whose text was computed (`tpl` of a values string): literal text keeps the segments of that string. */
export function ropeTemplateSource(name: string, rope: Rope, origin: Origin): TemplateSource {
  const text = rope.text;
  return {
    name,
    text,
    file: null,
    actionOrigin(start: number, end: number): Origin {
      const via = text.slice(start, Math.min(end, start + viaLimit));
      return { ...origin, span: null, via: end - start > viaLimit ? `${via}…` : via };
    },
    literal(start: number, end: number): readonly Segment[] {
      return rope.slice(start, end).segs;
    },
  };
}

/** JSON data as Go's encoding/json decodes it into interface{}: numbers are float64. */
export function jsonToValue(data: unknown, depth = 0): Value {
  if (depth > 500) throw new RangeError('data nested deeper than 500 levels');
  if (data === null || data === undefined) return { k: 'nil' };
  if (typeof data === 'boolean') return { k: 'bool', v: data };
  if (typeof data === 'number') return { k: 'float', v: data };
  if (typeof data === 'string') return { k: 'string', s: Rope.of(data, { k: 'origin', origin: { source: 'generated', file: '', line: 1, column: 1, span: null } }) };
  if (Array.isArray(data)) return { k: 'list', items: data.map((item) => jsonToValue(item, depth + 1)), t: '[]interface {}' };
  const entries = new Map<string, MapEntry>();
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) entries.set(key, { value: jsonToValue(value, depth + 1) });
  return { k: 'map', entries, t: 'map[string]interface {}' };
}

export type RenderTextResult =
  | { readonly ok: true; readonly output: string; readonly problems: readonly ExecProblem[] }
  | { readonly ok: false; readonly stage: 'parse' | 'exec' | 'limit'; readonly message: string; readonly problems: readonly ExecProblem[] };

export interface RenderTextOptions {
  readonly missingKey?: ExecOptions['missingKey'];
  /** Functions besides Go's builtins (they take precedence, as template.Funcs does). */
  readonly functions?: FunctionTable;
  /** Check function names at parse time (Go does); off, unknown names become unknown values. */
  readonly strictFunctions?: boolean;
  readonly maxSteps?: number;
  readonly parse?: ParseOptions;
}

/** Parses and runs one template text with Go's builtins, as `text/template` would. */
export function renderText(text: string, data: Value, options: RenderTextOptions = {}): RenderTextResult {
  const builtins = builtinFunctions();
  const functions = options.functions ?? new Map();
  const problems: ExecProblem[] = [];
  let parsed;
  try {
    parsed = parse(text, 'tpl', {
      ...options.parse,
      ...(options.strictFunctions === false ? {} : { functionExists: (name: string) => functions.has(name) || builtins.has(name) }),
    });
  } catch (error) {
    if (error instanceof ParseError) return { ok: false, stage: 'parse', message: `${error.line}: ${error.message}`, problems };
    throw error;
  }
  const source = fileTemplateSource('tpl', 'tpl', text);
  const defines = new Map<string, Template>();
  for (const tree of parsed.defines) {
    const existing = defines.get(tree.name);
    if (existing && tree.empty && !existing.tree.empty) continue;
    defines.set(tree.name, { tree, source });
  }
  const main: Template = { tree: parsed.main, source };
  const executor = new Executor({
    missingKey: options.missingKey ?? 'default',
    functions,
    builtins,
    lookup: (name) => (name === 'tpl' && !defines.has('tpl') ? main : (defines.get(name) ?? null)),
    unknowns: new UnknownTable(),
    report: (problem) => problems.push(problem),
    budget: { steps: 0, maxSteps: options.maxSteps ?? 10_000_000 },
  });
  try {
    const out = executor.run(defines.get('tpl') && !parsed.main.empty ? main : (defines.get('tpl') ?? main), data);
    return { ok: true, output: out.rope().text, problems };
  } catch (error) {
    if (error instanceof ExecError || error instanceof FailError) return { ok: false, stage: 'exec', message: error.message, problems };
    if (error instanceof LimitError) return { ok: false, stage: 'limit', message: error.message, problems };
    throw error;
  }
}
