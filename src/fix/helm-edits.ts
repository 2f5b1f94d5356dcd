import type { Node } from 'yaml';
import { describeCondition, type Injection, type SanitizedTemplate, type TemplateAction } from './template-text.js';
import { columnOf, lineStartOf, nextLineStart, startsLine, type FileModel } from './file-model.js';

/**
 * Textual edits of Helm (Go) templates. A template is not YAML: pod2wi parses its sanitized text to find the
 * blocks, then edits the template text itself by whole lines, so that
 * - a line added to a block lands where every branch that renders the block renders it too (never inside an
 *   `{{- if }}` that only wraps a neighbour), and is not glued to a neighbour by whitespace trimming (`-}}`);
 * - a line removed takes its now-empty `{{- if }}` / `{{- end }}` wrapper with it.
 */

/** The control blocks in effect at the start of a 1-based line, as comparable text. */
function conditionsAt(template: SanitizedTemplate, line: number): string {
  const stack = template.conditions[line - 1] ?? [];
  return JSON.stringify(stack.map(describeCondition));
}

function actionsOn(file: FileModel, template: SanitizedTemplate, line: number): TemplateAction[] {
  return template.actions.filter((action) => action.line === line || file.lines.line(Math.max(action.start, action.end - 1)) === line);
}

function lineText(file: FileModel, line: number): string {
  const start = file.lines.lineStart(line);
  const end = nextLineStart(file.text, start);
  return file.text.slice(start, end).replace(/\r?\n$/, '');
}

/** Blank, or holding only template actions (sanitized to spaces). */
function isQuietLine(file: FileModel, line: number): boolean {
  const start = file.lines.lineStart(line);
  const end = nextLineStart(file.parseText, start);
  return file.parseText.slice(start, end).trim() === '';
}

/** A line that is one control action and nothing else (`{{- if .Values.x }}`, `{{- end }}`). */
function soleAction(file: FileModel, template: SanitizedTemplate, line: number): TemplateAction | null {
  const actions = actionsOn(file, template, line);
  if (actions.length !== 1) return null;
  const action = actions[0] as TemplateAction;
  return file.text.slice(action.start, action.end).trim() === lineText(file, line).trim() ? action : null;
}

/** Text may be inserted at the start of line `line + 1`: no `-}}` before it swallows its indentation, no `{{-` after it glues onto it. */
function safeBoundary(file: FileModel, template: SanitizedTemplate, line: number): boolean {
  if (/-\}\}\s*$/.test(lineText(file, line))) return false;
  if (line + 1 > file.lines.lineCount) return true;
  const next = lineText(file, line + 1).trimStart();
  if (!next.startsWith('{{-')) return true;
  const action = actionsOn(file, template, line + 1)[0];
  if (!action) return true;
  if (action.kind !== 'output') return true;
  return /\bnindent\b/.test(action.inner);
}

/** Injections (`include` / `toYaml` lines) inside the block owned by the key at `keyOffset`. */
export function blockInjections(file: FileModel, keyOffset: number): Injection[] {
  const template = file.template;
  if (!template) return [];
  const keyLine = file.lines.line(keyOffset);
  const keyIndent = columnOf(file.text, keyOffset);
  const last = blockLastLine(file, keyLine, keyIndent);
  return template.injections.filter((injection) => injection.line > keyLine && injection.line <= last && injection.indent > keyIndent);
}

/** The last line of the block under a key: lines indented deeper than the key, or blank. */
function blockLastLine(file: FileModel, keyLine: number, keyIndent: number): number {
  let last = keyLine;
  for (let line = keyLine + 1; line <= file.lines.lineCount; line++) {
    const content = lineText(file, line);
    const trimmed = content.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (content.length - trimmed.length <= keyIndent || trimmed.startsWith('---')) break;
    last = line;
  }
  return last;
}

export type InsertPoint = { readonly offset: number; readonly indent: number | null } | { readonly decline: string };

/**
 * Where a line joins the block (a map) owned by the key at `keyOffset` in a template, and the indentation its entries
 * use (null when the block has no entry to copy it from). After the block's last line when the inserted line is
 * rendered under exactly the conditions of the key; else right after the key line; else nowhere.
 */
export function templateInsertPoint(file: FileModel, keyOffset: number, value: Node | null): InsertPoint {
  const template = file.template;
  if (!template) return { decline: 'not a template' };
  const keyLine = file.lines.line(keyOffset);
  const keyIndent = columnOf(file.text, keyOffset);
  const keyConditions = conditionsAt(template, keyLine);
  let last = blockLastLine(file, keyLine, keyIndent);
  const end = value?.range?.[1];
  if (end !== undefined && end > keyOffset) last = Math.max(last, file.lines.line(Math.max(end - 1, keyOffset)));
  const injections = blockInjections(file, keyOffset);
  let indent: number | null = null;
  if (value && 'items' in value && Array.isArray((value as { items: unknown[] }).items)) {
    const first = (value as { items: { key?: Node }[] }).items[0]?.key;
    if (first?.range && startsLine(file.text, first.range[0])) indent = columnOf(file.text, first.range[0]);
  }
  if (indent === null && injections[0]) indent = injections[0].indent;
  const lineCount = file.lines.lineCount;
  const at = (line: number) => (line + 1 > lineCount ? file.text.length : file.lines.lineStart(line + 1));
  let line = last;
  while (line + 1 <= lineCount && conditionsAt(template, line + 1) !== keyConditions && isQuietLine(file, line + 1)) line++;
  const after = line + 1 > lineCount ? keyConditions : conditionsAt(template, line + 1);
  if (after === keyConditions && safeBoundary(file, template, line)) return { offset: at(line), indent };
  const keyNext = keyLine + 1 > lineCount ? keyConditions : conditionsAt(template, keyLine + 1);
  if (keyNext === keyConditions && safeBoundary(file, template, keyLine)) return { offset: at(keyLine), indent };
  return { decline: `cannot find a line in the block at line ${keyLine} that renders under the same template conditions` };
}

/**
 * The range that removes the template line holding a pair (key at `keyOffset`), and its `{{- if }}` / `{{- end }}`
 * wrapper when the pair was all it wrapped. Declines when the line holds template control flow of its own.
 */
export function templateLineRemoval(file: FileModel, keyOffset: number, valueEnd: number): { start: number; end: number; wrapper: boolean } | { decline: string } {
  const template = file.template;
  if (!template) return { decline: 'not a template' };
  if (!startsLine(file.text, keyOffset)) return { decline: 'the key does not start its line' };
  const line = file.lines.line(keyOffset);
  if (file.lines.line(Math.max(keyOffset, valueEnd - 1)) !== line) return { decline: 'the entry spans several template lines' };
  const own = actionsOn(file, template, line);
  if (own.some((action) => action.kind !== 'output' && action.kind !== 'comment')) return { decline: `line ${line} holds template control flow` };
  let start = lineStartOf(file.text, keyOffset);
  let end = nextLineStart(file.text, keyOffset);
  let wrapper = false;
  if (line > 1 && line < file.lines.lineCount) {
    const open = soleAction(file, template, line - 1);
    const close = soleAction(file, template, line + 1);
    if (open?.kind === 'open' && (open.keyword === 'if' || open.keyword === 'with') && close?.kind === 'end') {
      start = file.lines.lineStart(line - 1);
      end = nextLineStart(file.text, file.lines.lineStart(line + 1));
      wrapper = true;
    }
  }
  return { start, end, wrapper };
}

/** The `.Values` path a `toYaml` injection emits (`toYaml .Values.podLabels`, or `toYaml .` inside `with`), or null. */
export function valuesPathOf(injection: Injection): string[] | null {
  const match = /\btoYaml\s+(\$?\.[\w.]*)/.exec(injection.expression);
  if (!match) return null;
  let ref = match[1] ?? '';
  if (ref === '.' && injection.dot) ref = injection.dot;
  const path = ref.replace(/^\$?\./, '').split('.').filter(Boolean);
  return path[0] === 'Values' && path.length > 1 ? path.slice(1) : null;
}

/** The lines a chart's template needs for a map that pod2wi cannot reach through values, for a finding. */
export function linesToAdd(key: string, pairs: readonly (readonly [string, string])[], indent: number): string {
  const pad = ' '.repeat(indent);
  return [`${pad}${key}:`, ...pairs.map(([name, value]) => `${pad}  ${name}: ${JSON.stringify(value)}`)].join('\n');
}
