import { LineIndex } from '../k8s/line-index.js';

/** One `{{ ... }}` action of a Go template (Helm, or a bare Go/text template). */
export interface TemplateAction {
  /** Offsets of `{{` and just after `}}` in the template text. */
  readonly start: number;
  readonly end: number;
  /** The expression without delimiters, trim markers or surrounding space. */
  readonly inner: string;
  readonly kind: 'comment' | 'open' | 'else' | 'end' | 'output' | 'assign';
  readonly keyword?: 'if' | 'with' | 'range' | 'define' | 'block';
  /** 1-based line of `{{`. */
  readonly line: number;
  /** Alone on its line(s): blanked rather than replaced by a placeholder. */
  readonly standalone: boolean;
}

/**
 * A standalone output action that emits YAML into the block around it: `include "x.labels" . | nindent 8`,
 * `toYaml .Values.podLabels | nindent 8`, `template "x" .`. `indent` is where the emitted keys land.
 */
export interface Injection {
  readonly line: number;
  readonly indent: number;
  readonly expression: string;
  /** What `.` means at this point when a `with` rebinds it to a simple reference, else null. */
  readonly dot: string | null;
}

/**
 * A control block around a line: `if X` (expression X), `with X`, `range …`. In an `else` / `else if Y` branch,
 * `negated` lists the expressions of the earlier branches, which must all be false, and `expression` is Y or ''.
 */
export interface TemplateCondition {
  readonly keyword: 'if' | 'with' | 'range' | 'block';
  readonly expression: string;
  readonly negated: readonly string[];
  /** What `.` meant where the block opened (a `with` outside rebinds it), for evaluating the expressions. */
  readonly dot: string | null;
}

/** How a condition reads in a report: `.Values.a`, `not .Values.a`, `with .Values.b`. */
export function describeCondition(condition: TemplateCondition): string {
  const parts = condition.negated.map((expression) => `not (${expression})`);
  if (condition.expression) parts.push(condition.keyword === 'if' ? condition.expression : `${condition.keyword} ${condition.expression}`);
  return parts.join(' and ');
}

/** A `{{ define "name" }}` body: offsets into the template text. */
export interface Define {
  readonly name: string;
  readonly bodyStart: number;
  readonly bodyEnd: number;
  readonly line: number;
}

export interface SanitizedTemplate {
  /** Same length as the input, each line on the same line: YAML-parsable where the template's YAML shape allows. */
  readonly text: string;
  /** Placeholder id → the inner expression it replaced. */
  readonly expressions: ReadonlyMap<string, string>;
  readonly actions: readonly TemplateAction[];
  /** Per line (index = line − 1): the enclosing control blocks, outermost first. */
  readonly conditions: readonly (readonly TemplateCondition[])[];
  readonly injections: readonly Injection[];
  readonly defines: readonly Define[];
  /** Per line: what `.` means there when a `with` rebinds it to a simple reference, else null. */
  readonly dots: readonly (string | null)[];
}

const placeholderPattern = /§([0-9a-z]+)~*§/g;

export function hasTemplateSyntax(text: string): boolean {
  return text.includes('{{') && text.includes('}}');
}

/**
 * Lexes the actions of a Go template. Strings (`"…"`, `` `…` ``, `'…'`) and comments are skipped so a `}}` inside
 * them does not end the action. An unterminated action ends the lexing: the rest is plain text.
 */
export function lexActions(text: string, index = new LineIndex(text)): Omit<TemplateAction, 'standalone'>[] {
  const actions: Omit<TemplateAction, 'standalone'>[] = [];
  let pos = 0;
  for (;;) {
    const start = text.indexOf('{{', pos);
    if (start < 0) break;
    const end = findActionEnd(text, start + 2);
    if (end < 0) break;
    const inner = innerOf(text.slice(start, end));
    actions.push({ start, end, inner, line: index.line(start), ...classify(inner) });
    pos = end;
  }
  return actions;
}

function findActionEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === '}' && text[i + 1] === '}') return i + 2;
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return -1;
      i = close + 2;
    } else if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '`') {
      const close = text.indexOf('`', i + 1);
      if (close < 0) return -1;
      i = close + 1;
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      i = close < 0 ? i + 1 : close + 1;
    } else {
      i++;
    }
  }
  return -1;
}

function innerOf(action: string): string {
  let inner = action.slice(2, -2);
  if (/^-\s/.test(inner)) inner = inner.slice(1);
  if (/\s-$/.test(inner)) inner = inner.slice(0, -1);
  return inner.trim();
}

function classify(inner: string): Pick<TemplateAction, 'kind' | 'keyword'> {
  if (inner.startsWith('/*')) return { kind: 'comment' };
  const word = /^[a-z]+/.exec(inner)?.[0];
  if (word === 'if' || word === 'with' || word === 'range' || word === 'define' || word === 'block') {
    return { kind: 'open', keyword: word };
  }
  if (word === 'else') return { kind: 'else' };
  if (word === 'end') return { kind: 'end' };
  if (/^\$[\w]*\s*:?=/.test(inner)) return { kind: 'assign' };
  return { kind: 'output' };
}

/**
 * Turns a template into text of the same length that a YAML parser can read:
 * - actions alone on their lines (control flow, comments, includes) and `define` bodies become spaces;
 * - other actions become a placeholder `§<id>~~§` of the action's length (decoded by `decodePlaceholders`).
 * Both branches of an if/else stay, so parse with duplicate keys allowed.
 */
export function sanitizeTemplate(text: string): SanitizedTemplate {
  const index = new LineIndex(text);
  const lexed = lexActions(text, index);
  const chars = text.split('');
  const lineCount = index.lineCount;

  // Which lines hold nothing but actions and whitespace.
  const actionOnly = new Array<boolean>(lineCount).fill(true);
  const hasAction = new Array<boolean>(lineCount).fill(false);
  let cursor = 0;
  for (const action of lexed) {
    markText(text, index, cursor, action.start, actionOnly);
    for (let l = action.line; l <= index.line(action.end - 1); l++) hasAction[l - 1] = true;
    cursor = action.end;
  }
  markText(text, index, cursor, text.length, actionOnly);

  const actions: TemplateAction[] = lexed.map((action) => {
    let standalone = true;
    for (let l = action.line; l <= index.line(action.end - 1); l++) standalone &&= actionOnly[l - 1] === true;
    return { ...action, standalone };
  });

  const expressions = new Map<string, string>();
  for (const action of actions) {
    if (action.standalone || action.kind !== 'output') {
      blank(chars, action.start, action.end);
      continue;
    }
    const firstLineEnd = text.indexOf('\n', action.start);
    const spanEnd = firstLineEnd < 0 || firstLineEnd > action.end ? action.end : firstLineEnd;
    const id = expressions.size.toString(36);
    const room = spanEnd - action.start;
    blank(chars, action.start, action.end);
    if (room >= id.length + 2) {
      const placeholder = `§${id}${'~'.repeat(room - id.length - 2)}§`;
      for (let k = 0; k < placeholder.length; k++) chars[action.start + k] = placeholder[k] ?? ' ';
      expressions.set(id, action.inner);
    }
  }

  // Control-flow nesting per line, with `define` bodies found and blanked.
  const conditions: TemplateCondition[][] = [];
  const stack: Frame[] = [];
  const defines: Define[] = [];
  const injections: Injection[] = [];
  let next = 0;
  for (let line = 1; line <= lineCount; line++) {
    const lineStart = index.lineStart(line);
    while (next < actions.length && (actions[next]?.start ?? Infinity) < lineStart) {
      applyControl(actions[next] as TemplateAction, stack, defines, chars);
      next++;
    }
    conditions.push(stack.flatMap((frame) => (frame.keyword === 'define' ? [] : [frame.condition])));
  }
  while (next < actions.length) applyControl(actions[next++] as TemplateAction, stack, defines, chars);

  // Injections need the `with` context at their line, so compute after the stack pass.
  const dots = dotPerLine(actions, index, lineCount);
  for (const action of actions) {
    if (!action.standalone || action.kind !== 'output') continue;
    if (!/^(include|template)\s|\btoYaml\b|^toJson\b/.test(action.inner)) continue;
    const indentArg = /\bn?indent\s+(\d+)/.exec(action.inner);
    const column = index.position(action.start).column - 1;
    injections.push({
      line: action.line,
      indent: indentArg ? Number(indentArg[1]) : column,
      expression: action.inner,
      dot: dots[action.line - 1] ?? null,
    });
  }

  return { text: chars.join(''), expressions, actions, conditions, injections, defines, dots };
}

interface Frame {
  readonly keyword: string;
  readonly action: TemplateAction;
  readonly condition: TemplateCondition;
}

function applyControl(action: TemplateAction, stack: Frame[], defines: Define[], chars: string[]): void {
  if (action.kind === 'open') {
    const keyword = action.keyword ?? 'if';
    const expression = action.inner.replace(/^(if|with|range|block|define)\s+/, '');
    const conditionKeyword = keyword === 'define' ? 'if' : keyword;
    stack.push({ keyword, action, condition: { keyword: conditionKeyword, expression, negated: [], dot: dotOf(stack) } });
  } else if (action.kind === 'else') {
    const top = stack.pop();
    if (top) {
      const rest = action.inner.replace(/^else\s*/, '').replace(/^(if|with)\s+/, '');
      const earlier = [...top.condition.negated, ...(top.condition.expression ? [top.condition.expression] : [])];
      const keyword = top.condition.keyword === 'range' ? 'range' : 'if';
      stack.push({ ...top, condition: { keyword, expression: rest, negated: earlier, dot: top.condition.dot } });
    }
  } else if (action.kind === 'end') {
    const top = stack.pop();
    if (top?.keyword === 'define') {
      const name = /^define\s+"([^"]+)"/.exec(top.action.inner)?.[1];
      if (name) defines.push({ name, bodyStart: top.action.end, bodyEnd: action.start, line: top.action.line });
      blank(chars, top.action.start, action.end);
    }
  }
}

/** The `.` in effect inside the frames of `stack`: the innermost `with` of a simple reference, unknown in a range. */
function dotOf(stack: readonly Frame[]): string | null {
  for (let k = stack.length - 1; k >= 0; k--) {
    const frame = stack[k];
    if (frame?.keyword === 'range') return null;
    if (frame?.keyword === 'with') return /^(\$?\.[\w.]+)\s*$/.exec(frame.condition.expression)?.[1] ?? null;
  }
  return null;
}

function dotPerLine(actions: readonly TemplateAction[], index: LineIndex, lineCount: number): (string | null)[] {
  const dots: (string | null)[] = [];
  const stack: (string | null | undefined)[] = [];
  let next = 0;
  for (let line = 1; line <= lineCount; line++) {
    const lineStart = index.lineStart(line);
    while (next < actions.length && (actions[next]?.start ?? Infinity) < lineStart) {
      const action = actions[next++] as TemplateAction;
      if (action.kind === 'open') {
        const ref = action.keyword === 'with' ? /^with\s+(\$?\.[\w.]+)\s*$/.exec(action.inner)?.[1] : undefined;
        stack.push(action.keyword === 'with' ? (ref ?? null) : action.keyword === 'range' ? null : undefined);
      } else if (action.kind === 'end') {
        stack.pop();
      }
    }
    let dot: string | null = null;
    for (let k = stack.length - 1; k >= 0; k--) {
      const frame = stack[k];
      if (frame !== undefined) {
        dot = frame;
        break;
      }
    }
    dots.push(dot);
  }
  return dots;
}

function markText(text: string, index: LineIndex, from: number, to: number, actionOnly: boolean[]): void {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) actionOnly[index.line(i) - 1] = false;
  }
}

function blank(chars: string[], from: number, to: number): void {
  for (let i = from; i < to; i++) if (chars[i] !== '\n' && chars[i] !== '\r') chars[i] = ' ';
}

/** A scalar from sanitized text, split into literal text and template expressions. */
export type TemplatePart = { readonly literal: string } | { readonly expression: string };

export function decodePlaceholders(value: string, expressions: ReadonlyMap<string, string>): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of value.matchAll(placeholderPattern)) {
    const start = match.index ?? 0;
    if (start > last) parts.push({ literal: value.slice(last, start) });
    const expression = expressions.get(match[1] ?? '');
    parts.push(expression === undefined ? { literal: match[0] } : { expression });
    last = start + match[0].length;
  }
  if (last < value.length || parts.length === 0) parts.push({ literal: value.slice(last) });
  return parts;
}

/** The template text a decoded scalar stood for: `{{ expr }}` restored around each expression. */
export function partsToTemplate(parts: readonly TemplatePart[]): string {
  return parts.map((part) => ('literal' in part ? part.literal : `{{ ${part.expression} }}`)).join('');
}
