import { applyEdits, type Edit } from '../fix/edit.js';
import { hclJsonOf } from './hcl-json.js';
import { parseHcl, type HclBlock, type HclBody, type HclExpr, type HclObjectItem } from './hcl-syntax.js';

/**
 * Edits of HCL text as byte splices (the project's Edit: each carries the text it replaces). Every editor re-parses
 * the result and checks that it holds what was asked (and that nothing else in the file changed its plain data),
 * and refuses otherwise. New text copies the file's indentation, line ending, and the quoting of neighbouring keys.
 *
 * Nodes are named by where they start: the `span[0]` of an object's or block's origin as the reader reported it.
 */

/** The edits and the text they produce, or why pod2wi will not edit. */
export type HclEditResult = { readonly ok: true; readonly edits: readonly Edit[]; readonly text: string } | { readonly ok: false; readonly reason: string };

/** A value to write: a string, number, boolean, or null. */
export type HclLiteral = string | number | boolean | null;

const identifier = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** An HCL quoted string for a text: `"`, `\`, newlines escaped; `${` and `%{` doubled so they stay text. */
export function quoteHcl(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, () => '%%{');
  return `"${escaped}"`;
}

/** The value of a literal expression (a number, boolean, null, or a string without interpolation); undefined otherwise. */
function literalValue(expr: HclExpr): HclLiteral | undefined {
  if (expr.kind === 'literal') return expr.value;
  if (expr.kind === 'unary' && expr.operand.kind === 'literal' && typeof expr.operand.value === 'number' && expr.op === '-') return -expr.operand.value;
  if (expr.kind === 'template' && expr.parts.every((part) => part.kind === 'text')) return expr.parts.map((part) => (part.kind === 'text' ? part.value : '')).join('');
  return undefined;
}

function escapedText(value: string): string {
  return value.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

function literalText(value: HclLiteral): string {
  if (typeof value === 'string') return quoteHcl(value);
  return value === null ? 'null' : String(value);
}

function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEndOf(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end < 0 ? text.length : end + 1;
}

function indentAt(text: string, offset: number): string {
  const start = lineStartOf(text, offset);
  return /^[ \t]*/.exec(text.slice(start))?.[0] ?? '';
}

/** The indentation one level adds in this file (the smallest non-zero indentation of a line), two spaces by default. */
function indentUnit(text: string): string {
  let best: string | null = null;
  for (const match of text.matchAll(/^([ \t]+)\S/gm)) {
    const indent = match[1] ?? '';
    if (best === null || indent.length < best.length) best = indent;
  }
  return best ?? '  ';
}

/** Every expression of a body, depth first. */
function* expressionsOf(body: HclBody): Generator<HclExpr> {
  for (const item of body.items) {
    if (item.kind === 'attribute') yield* walkExpr(item.expr);
    else yield* expressionsOf(item.body);
  }
}

function* walkExpr(expr: HclExpr): Generator<HclExpr> {
  yield expr;
  switch (expr.kind) {
    case 'tuple':
      for (const item of expr.items) yield* walkExpr(item);
      break;
    case 'object':
      for (const item of expr.items) {
        yield* walkExpr(item.key);
        yield* walkExpr(item.value);
      }
      break;
    case 'call':
      for (const arg of expr.args) yield* walkExpr(arg);
      break;
    case 'paren':
      yield* walkExpr(expr.expr);
      break;
    case 'conditional':
      yield* walkExpr(expr.cond);
      yield* walkExpr(expr.then);
      yield* walkExpr(expr.else);
      break;
    case 'binary':
      yield* walkExpr(expr.left);
      yield* walkExpr(expr.right);
      break;
    case 'unary':
      yield* walkExpr(expr.operand);
      break;
    case 'getattr':
    case 'index':
    case 'splat':
      yield* walkExpr(expr.target);
      break;
    default:
      break;
  }
}

function* blocksIn(body: HclBody): Generator<HclBlock> {
  for (const item of body.items) {
    if (item.kind !== 'block') continue;
    yield item;
    yield* blocksIn(item.body);
  }
}

function parsed(text: string): { ok: true; body: HclBody } | { ok: false; reason: string } {
  const result = parseHcl(text);
  return result.ok ? { ok: true, body: result.body } : { ok: false, reason: `the file does not parse (line ${result.error.line}: ${result.error.message})` };
}

function findObject(body: HclBody, start: number): (HclExpr & { kind: 'object' }) | null {
  for (const expr of expressionsOf(body)) if (expr.kind === 'object' && expr.span[0] === start) return expr;
  return null;
}

function findBlock(body: HclBody, start: number): HclBlock | null {
  for (const block of blocksIn(body)) if (block.span[0] === start) return block;
  return null;
}

function keyName(item: HclObjectItem): string | null {
  return item.name;
}

/** The last item of an object for a key (HCL keeps the last of duplicates). */
function itemOf(object: HclExpr & { kind: 'object' }, key: string): HclObjectItem | null {
  for (let i = object.items.length - 1; i >= 0; i--) {
    const item = object.items[i];
    if (item && keyName(item) === key) return item;
  }
  return null;
}

/** Applies edits, re-parses, and runs a check on the new tree; a failed check refuses the edit. */
function finish(file: string, text: string, edits: Edit[], check: (body: HclBody, after: string) => string | null): HclEditResult {
  let after: string;
  try {
    after = applyEdits(text, edits);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const result = parseHcl(after);
  if (!result.ok) return { ok: false, reason: `${file}: the edited text would not parse (line ${result.error.line}: ${result.error.message})` };
  const problem = check(result.body, after);
  return problem ? { ok: false, reason: `${file}: ${problem}` } : { ok: true, edits, text: after };
}

function keyText(key: string, object: HclExpr & { kind: 'object' }): string {
  const quoted = object.items.some((item) => !item.bare);
  return identifier.test(key) && !quoted ? key : quoteHcl(key);
}

/** The column where `=` sits after the keys of an object's lines (aligned by terraform fmt), or null when not aligned. */
function alignedEquals(text: string, object: HclExpr & { kind: 'object' }): number | null {
  const last = object.items[object.items.length - 1];
  if (!last) return null;
  const lineStart = lineStartOf(text, last.span[0]);
  const at = text.indexOf(last.separator, last.key.span[1]);
  if (at < 0 || at > last.value.span[0]) return null;
  return at - lineStart;
}

function newItemLine(text: string, object: HclExpr & { kind: 'object' }, key: string, valueText: string, indent: string): string {
  const keyPart = `${indent}${keyText(key, object)}`;
  const column = alignedEquals(text, object);
  const separator = object.items[object.items.length - 1]?.separator ?? '=';
  const pad = column !== null && column > keyPart.length ? ' '.repeat(column - keyPart.length) : ' ';
  return `${keyPart}${pad}${separator} ${valueText}`;
}

/** A nested object literal holding `path` = value, written on the lines of `indent`. */
function nestedValue(path: readonly string[], valueText: string, indent: string, unit: string, eol: string, object: HclExpr & { kind: 'object' }): string {
  if (path.length === 0) return valueText;
  const [first, ...rest] = path;
  const inner = `${indent}${unit}`;
  return `{${eol}${inner}${keyText(first ?? '', object)} = ${nestedValue(rest, valueText, inner, unit, eol, object)}${eol}${indent}}`;
}

/**
 * Sets `path` (keys, outermost first) in the HCL object starting at `objectStart` to `value`: changes the value
 * when the key exists, else adds the key (creating nested objects). `yamlencode({ podLabels = { ... } })` is such
 * an object. Refuses when a key on the way holds something other than an object constructor.
 */
export function setObjectKey(file: string, text: string, objectStart: number, path: readonly string[], value: HclLiteral, why: string): HclEditResult {
  const tree = parsed(text);
  if (!tree.ok) return tree;
  let object = findObject(tree.body, objectStart);
  if (!object) return { ok: false, reason: `${file}: no object starts at offset ${objectStart}` };
  if (path.length === 0) return { ok: false, reason: 'an empty key path' };
  const eol = eolOf(text);
  const unit = indentUnit(text);
  const valueText = literalText(value);
  let depth = 0;
  for (; depth < path.length - 1; depth++) {
    const item = itemOf(object, path[depth] ?? '');
    if (!item) break;
    if (item.value.kind !== 'object') return { ok: false, reason: `${file}: ${path.slice(0, depth + 1).join('.')} is not an object written in the file` };
    object = item.value;
  }
  const key = path[depth] ?? '';
  const existing = depth === path.length - 1 ? itemOf(object, key) : null;
  let edit: Edit;
  if (existing) {
    if (literalValue(existing.value) === value) return { ok: true, edits: [], text };
    const expect = text.slice(existing.value.span[0], existing.value.span[1]);
    edit = { file, start: existing.value.span[0], end: existing.value.span[1], expect, text: valueText, why };
  } else {
    const rest = path.slice(depth + 1);
    const multiline = text.slice(object.span[0], object.span[1]).includes('\n');
    if (multiline) {
      const last = object.items[object.items.length - 1];
      const indent = last ? indentAt(text, last.span[0]) : `${indentAt(text, object.span[0])}${unit}`;
      const line = newItemLine(text, object, key, nestedValue(rest, valueText, indent, unit, eol, object), indent);
      const at = last ? lineEndOf(text, last.span[1]) : lineEndOf(text, object.span[0]);
      const trailingComma = last && /^\s*,/.test(text.slice(last.span[1])) ? ',' : '';
      edit = { file, start: at, end: at, expect: '', text: `${line}${trailingComma}${eol}`, why };
    } else {
      const close = object.span[1] - 1;
      const inner = text.slice(object.span[0] + 1, close);
      const nested = nestedValue(rest, valueText, '', '', ' ', object).replace(/\{ /g, '{ ').replace(/ \}$/g, ' }');
      const item = `${keyText(key, object)} = ${rest.length ? nested : valueText}`;
      if (inner.trim() === '') edit = { file, start: object.span[0], end: object.span[1], expect: text.slice(object.span[0], object.span[1]), text: `{ ${item} }`, why };
      else {
        const trimmedEnd = object.span[0] + 1 + inner.replace(/\s+$/, '').length;
        const comma = inner.trimEnd().endsWith(',') ? ' ' : ', ';
        edit = { file, start: trimmedEnd, end: trimmedEnd, expect: '', text: `${comma}${item}`, why };
      }
    }
  }
  const before = hclJsonOf(tree.body, text);
  return finish(file, text, [edit], (body, after) => {
    const found = findObject(body, objectStart);
    if (!found) return 'the object moved';
    let current: HclExpr | null = found;
    for (const step of path) {
      current = current?.kind === 'object' ? (itemOf(current, step)?.value ?? null) : null;
    }
    if (!current || literalValue(current) !== value) return `after the edit ${path.join('.')} does not hold ${JSON.stringify(value)}`;
    return sameElsewhere(before, hclJsonOf(body, after), 1);
  });
}

/**
 * The plain data of the file before and after differ in at most `allowed` top-level entries (the edited one): a
 * guard against an edit that lands somewhere else.
 */
function sameElsewhere(before: Record<string, unknown>, after: Record<string, unknown>, allowed: number): string | null {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  let changed = 0;
  for (const key of keys) if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changed++;
  return changed <= allowed ? null : 'the edit changed more than the node it aims at';
}

/** Removes `path` from the object starting at `objectStart` (its whole line when the object spans lines). */
export function removeObjectKey(file: string, text: string, objectStart: number, path: readonly string[], why: string): HclEditResult {
  const tree = parsed(text);
  if (!tree.ok) return tree;
  let object = findObject(tree.body, objectStart);
  if (!object) return { ok: false, reason: `${file}: no object starts at offset ${objectStart}` };
  for (let depth = 0; depth < path.length - 1; depth++) {
    const item = itemOf(object, path[depth] ?? '');
    if (!item) return { ok: true, edits: [], text };
    if (item.value.kind !== 'object') return { ok: false, reason: `${file}: ${path.slice(0, depth + 1).join('.')} is not an object written in the file` };
    object = item.value;
  }
  const key = path[path.length - 1] ?? '';
  const items = object.items.filter((item) => keyName(item) === key);
  if (items.length === 0) return { ok: true, edits: [], text };
  const edits: Edit[] = items.map((item) => removalOf(file, text, item, object, why));
  const before = hclJsonOf(tree.body, text);
  return finish(file, text, edits, (body, after) => {
    let current: HclExpr | null = findObject(body, objectStart);
    for (const step of path.slice(0, -1)) current = current?.kind === 'object' ? (itemOf(current, step)?.value ?? null) : null;
    if (!current || current.kind !== 'object' || itemOf(current, key)) return `after the edit ${path.join('.')} is still there`;
    return sameElsewhere(before, hclJsonOf(body, after), 1);
  });
}

function removalOf(file: string, text: string, item: HclObjectItem, object: HclExpr & { kind: 'object' }, why: string): Edit {
  const lineStart = lineStartOf(text, item.span[0]);
  const ownLine = text.slice(lineStart, item.span[0]).trim() === '' && /^\s*,?[ \t]*(#[^\n]*|\/\/[^\n]*)?(\r?\n|$)/.test(text.slice(item.span[1]));
  if (ownLine) {
    const end = lineEndOf(text, item.span[1]);
    return { file, start: lineStart, end, expect: text.slice(lineStart, end), text: '', why };
  }
  // On a line with other items: remove the item and one comma next to it.
  const index = object.items.indexOf(item);
  const after = text.slice(item.span[1]);
  const commaAfter = /^\s*,\s*/.exec(after);
  if (commaAfter && index < object.items.length - 1) {
    const end = item.span[1] + commaAfter[0].length;
    return { file, start: item.span[0], end, expect: text.slice(item.span[0], end), text: '', why };
  }
  const previous = object.items[index - 1];
  const start = previous ? previous.span[1] : item.span[0];
  const end = commaAfter ? item.span[1] + commaAfter[0].replace(/\s+$/, '').length : item.span[1];
  return { file, start, end, expect: text.slice(start, end), text: previous ? '' : '', why };
}

/** Changes a literal (a quoted string, number, boolean or null) that starts at `start` to `value`, keeping its kind of quoting. */
export function replaceLiteral(file: string, text: string, start: number, value: HclLiteral, why: string): HclEditResult {
  const tree = parsed(text);
  if (!tree.ok) return tree;
  let target: HclExpr | null = null;
  for (const expr of expressionsOf(tree.body)) {
    if (expr.span[0] !== start) continue;
    if (expr.kind === 'literal' || (expr.kind === 'template' && !expr.heredoc && expr.parts.every((part) => part.kind === 'text'))) target = expr;
  }
  if (!target) return { ok: false, reason: `${file}: no literal value starts at offset ${start}` };
  const span = target.span;
  const edit: Edit = { file, start: span[0], end: span[1], expect: text.slice(span[0], span[1]), text: literalText(value), why };
  const before = hclJsonOf(tree.body, text);
  return finish(file, text, [edit], (body, after) => {
    for (const expr of expressionsOf(body)) if (expr.span[0] === start && literalValue(expr) === value) return sameElsewhere(before, hclJsonOf(body, after), 1);
    return 'the literal does not hold the new value after the edit';
  });
}

/** Whole lines of a block, with one blank line next to it when the block is between blank lines. */
function blockLines(text: string, block: HclBlock): [number, number] {
  let start = lineStartOf(text, block.span[0]);
  // Comment lines right above the block belong to it.
  while (start > 0) {
    const previous = lineStartOf(text, start - 1);
    if (!/^[ \t]*(#|\/\/)/.test(text.slice(previous, start))) break;
    start = previous;
  }
  let end = lineEndOf(text, block.span[1]);
  const before = text.slice(0, start);
  const after = text.slice(end);
  const blankBefore = /(^|\n)[ \t]*\r?\n$/.test(before);
  const blankAfter = /^[ \t]*\r?\n/.test(after);
  if (blankAfter && (blankBefore || start === 0)) end = lineEndOf(text, end);
  else if (blankBefore && end >= text.length) start = lineStartOf(text, start - 1);
  return [start, end];
}

/** Removes a whole block (a resource, a `set` block) that starts at `blockStart`. */
export function removeBlock(file: string, text: string, blockStart: number, why: string): HclEditResult {
  const tree = parsed(text);
  if (!tree.ok) return tree;
  const block = findBlock(tree.body, blockStart);
  if (!block) return { ok: false, reason: `${file}: no block starts at offset ${blockStart}` };
  if (text.slice(lineStartOf(text, block.span[0]), block.span[0]).trim() !== '' || !/^[ \t]*(#[^\n]*|\/\/[^\n]*)?(\r?\n|$)/.test(text.slice(block.span[1]))) {
    return { ok: false, reason: `${file}: the block shares its lines with other text` };
  }
  const [start, end] = blockLines(text, block);
  const edit: Edit = { file, start, end, expect: text.slice(start, end), text: '', why };
  const count = [...blocksIn(tree.body)].length;
  return finish(file, text, [edit], (body) => ([...blocksIn(body)].length + 1 + [...blocksIn(block.body)].length === count ? null : 'the edit removed more than the block'));
}

/** Name and value of a Helm set, as the Terraform Helm provider reads them. */
export interface SetEntry {
  /** The Helm --set name as Helm reads it (`podLabels.azure\.workload\.identity/use`). */
  readonly name: string;
  readonly value: string;
  readonly kind?: 'set' | 'set_string' | 'set_sensitive';
}

const setKinds = new Set(['set', 'set_string', 'set_sensitive']);

/**
 * Adds a set to the helm_release block starting at `resourceStart`: a `set { name = ... value = ... }` block after
 * the last set block (or, with none, after the release's last argument), indented like its siblings; a release
 * that uses the list form (`set = [ { name, value } ]`) gets a new list item instead.
 */
export function addSet(file: string, text: string, resourceStart: number, entry: SetEntry, why: string): HclEditResult {
  const tree = parsed(text);
  if (!tree.ok) return tree;
  const resource = findBlock(tree.body, resourceStart);
  if (!resource) return { ok: false, reason: `${file}: no block starts at offset ${resourceStart}` };
  const eol = eolOf(text);
  const unit = indentUnit(text);
  const kind = entry.kind ?? 'set';
  const present = existingSetValue(resource, kind, entry.name);
  if (present) {
    if (literalValue(present) === entry.value) return { ok: true, edits: [], text };
    return replaceLiteral(file, text, present.span[0], entry.value, why);
  }
  const list = resource.body.items.find((item) => item.kind === 'attribute' && item.name === kind);
  let edit: Edit;
  if (list && list.kind === 'attribute') {
    if (list.expr.kind !== 'tuple') return { ok: false, reason: `${file}: ${kind} is not a list written in the file` };
    const tuple = list.expr;
    const last = tuple.items[tuple.items.length - 1];
    const itemIndent = last ? indentAt(text, last.span[0]) : `${indentAt(text, list.span[0])}${unit}`;
    const inner = `${itemIndent}${unit}`;
    const item = `${itemIndent}{${eol}${inner}name  = ${quoteHcl(entry.name)}${eol}${inner}value = ${quoteHcl(entry.value)}${eol}${itemIndent}}`;
    if (last) {
      const afterLast = text.slice(last.span[1]);
      const comma = /^\s*,/.exec(afterLast);
      const at = comma ? last.span[1] + comma[0].length : last.span[1];
      edit = { file, start: at, end: at, expect: '', text: `${comma ? '' : ','}${eol}${item}${comma ? ',' : ''}`, why };
    } else {
      const at = tuple.span[0] + 1;
      const close = tuple.span[1] - 1;
      edit = { file, start: at, end: close, expect: text.slice(at, close), text: `${eol}${item}${eol}${indentAt(text, list.span[0])}`, why };
    }
  } else {
    const sets = resource.body.items.filter((item): item is HclBlock => item.kind === 'block' && (setKinds.has(item.type) || (item.type === 'dynamic' && setKinds.has(item.labels[0]?.value ?? ''))));
    const anchor = sets[sets.length - 1] ?? resource.body.items[resource.body.items.length - 1];
    const indent = anchor ? indentAt(text, anchor.span[0]) : `${indentAt(text, resource.span[0])}${unit}`;
    const sample = sets.find((block) => block.type !== 'dynamic');
    const innerIndent = sample && sample.body.items[0] ? indentAt(text, sample.body.items[0].span[0]) : `${indent}${unit}`;
    const block = `${indent}${kind} {${eol}${innerIndent}name  = ${quoteHcl(entry.name)}${eol}${innerIndent}value = ${quoteHcl(entry.value)}${eol}${indent}}${eol}`;
    if (anchor) {
      const at = lineEndOf(text, anchor.span[1]);
      const blankLine = sets.length > 0 && /\n[ \t]*\r?\n[ \t]*(set|set_string|set_sensitive|dynamic)\b/.test(text.slice(lineStartOf(text, sets[0]?.span[0] ?? 0) - 2, anchor.span[1])) ? eol : sets.length === 0 ? eol : '';
      edit = { file, start: at, end: at, expect: '', text: `${blankLine}${block}`, why };
    } else {
      const at = resource.close;
      const lineStart = lineStartOf(text, at);
      const onOwnLine = text.slice(lineStart, at).trim() === '';
      edit = onOwnLine
        ? { file, start: lineStart, end: lineStart, expect: '', text: block, why }
        : { file, start: resource.open + 1, end: at, expect: text.slice(resource.open + 1, at), text: `${eol}${block}${indentAt(text, resource.span[0])}`, why };
    }
  }
  const before = hclJsonOf(tree.body, text);
  return finish(file, text, [edit], (body, after) => {
    const found = findBlock(body, resourceStart);
    if (!found) return 'the release block moved';
    const json = hclJsonOf(found.body, after);
    const entries = Array.isArray(json[kind]) ? (json[kind] as unknown[]) : [];
    const added = entries.some((candidate) => JSON.stringify(candidate) === JSON.stringify({ name: escapedText(entry.name), value: escapedText(entry.value) }));
    if (!added) return `after the edit the release has no ${kind} ${entry.name}`;
    return sameElsewhere(before, hclJsonOf(body, after), 1);
  });
}

/** The `value` expression of the set of `kind` named `name` in a release (block or list form), if any. */
function existingSetValue(resource: HclBlock, kind: string, name: string): HclExpr | null {
  for (const item of resource.body.items) {
    if (item.kind === 'block' && item.type === kind) {
      const nameAttr = item.body.items.find((inner) => inner.kind === 'attribute' && inner.name === 'name');
      const valueAttr = item.body.items.find((inner) => inner.kind === 'attribute' && inner.name === 'value');
      if (nameAttr?.kind === 'attribute' && valueAttr?.kind === 'attribute' && literalValue(nameAttr.expr) === name) return valueAttr.expr;
    }
    if (item.kind === 'attribute' && item.name === kind && item.expr.kind === 'tuple') {
      for (const entry of item.expr.items) {
        if (entry.kind !== 'object') continue;
        const nameItem = itemOf(entry, 'name');
        const valueItem = itemOf(entry, 'value');
        if (nameItem && valueItem && literalValue(nameItem.value) === name) return valueItem.value;
      }
    }
  }
  return null;
}

/** Removes the set (block, or item of the list form) whose `name` is `name` from the helm_release at `resourceStart`. */
export function removeSet(file: string, text: string, resourceStart: number, name: string, why: string): HclEditResult {
  const tree = parsed(text);
  if (!tree.ok) return tree;
  const resource = findBlock(tree.body, resourceStart);
  if (!resource) return { ok: false, reason: `${file}: no block starts at offset ${resourceStart}` };
  for (const item of resource.body.items) {
    if (item.kind === 'block' && setKinds.has(item.type)) {
      const nameAttr = item.body.items.find((inner) => inner.kind === 'attribute' && inner.name === 'name');
      if (nameAttr?.kind === 'attribute' && literalValue(nameAttr.expr) === name) return removeBlock(file, text, item.span[0], why);
    }
    if (item.kind === 'attribute' && setKinds.has(item.name) && item.expr.kind === 'tuple') {
      const tuple = item.expr;
      const index = tuple.items.findIndex((entry) => {
        const nameItem = entry.kind === 'object' ? itemOf(entry, 'name') : null;
        return nameItem !== null && literalValue(nameItem.value) === name;
      });
      const target = tuple.items[index];
      if (!target) continue;
      const previous = tuple.items[index - 1];
      const next = tuple.items[index + 1];
      const commaAfter = /^\s*,/.exec(text.slice(target.span[1]));
      const edits: Edit[] = [];
      const lineStart = lineStartOf(text, target.span[0]);
      const ownLines = text.slice(lineStart, target.span[0]).trim() === '';
      if (ownLines) {
        const itemEnd = commaAfter ? target.span[1] + commaAfter[0].length : target.span[1];
        const end = /^[ \t]*(\r?\n|$)/.test(text.slice(itemEnd)) ? lineEndOf(text, itemEnd) : itemEnd;
        edits.push({ file, start: lineStart, end, expect: text.slice(lineStart, end), text: '', why });
        if (!next && !commaAfter && previous) {
          const comma = /^\s*,/.exec(text.slice(previous.span[1]));
          if (comma) edits.push({ file, start: previous.span[1], end: previous.span[1] + comma[0].length, expect: comma[0], text: comma[0].slice(0, -1), why });
        }
      } else if (next) {
        edits.push({ file, start: target.span[0], end: next.span[0], expect: text.slice(target.span[0], next.span[0]), text: '', why });
      } else {
        const start = previous ? previous.span[1] : target.span[0];
        const end = commaAfter ? target.span[1] + commaAfter[0].length : target.span[1];
        edits.push({ file, start, end, expect: text.slice(start, end), text: '', why });
      }
      return finish(file, text, edits, (body, after) => {
        const found = findBlock(body, resourceStart);
        const json = found ? hclJsonOf(found.body, after) : {};
        const entries = Array.isArray(json[item.name]) ? (json[item.name] as Record<string, unknown>[]) : [];
        return entries.length === tuple.items.length - 1 && !entries.some((entry) => entry.name === name) ? null : 'the set item was not removed cleanly';
      });
    }
  }
  return { ok: true, edits: [], text };
}

/**
 * Adds `name = value` (value as HCL text, e.g. an object) to the block starting at `blockStart`, after its last
 * argument (before nested blocks) or first in an empty block; for a kubernetes_* `metadata` block without labels.
 */
export function addBlockAttribute(file: string, text: string, blockStart: number, name: string, valueHcl: string, why: string): HclEditResult {
  const tree = parsed(text);
  if (!tree.ok) return tree;
  const block = findBlock(tree.body, blockStart);
  if (!block) return { ok: false, reason: `${file}: no block starts at offset ${blockStart}` };
  if (block.body.items.some((item) => item.kind === 'attribute' && item.name === name)) return { ok: false, reason: `${file}: the block already has ${name}` };
  const eol = eolOf(text);
  const unit = indentUnit(text);
  const attrs = block.body.items.filter((item) => item.kind === 'attribute');
  const lastAttr = attrs[attrs.length - 1];
  const firstItem = block.body.items[0];
  const indent = firstItem ? indentAt(text, firstItem.span[0]) : `${indentAt(text, block.span[0])}${unit}`;
  const line = `${indent}${name} = ${valueHcl.replace(/\n/g, `${eol}${indent}`)}${eol}`;
  let edit: Edit;
  if (lastAttr) {
    const at = lineEndOf(text, lastAttr.span[1]);
    edit = { file, start: at, end: at, expect: '', text: line, why };
  } else if (firstItem) {
    const at = lineStartOf(text, firstItem.span[0]);
    edit = { file, start: at, end: at, expect: '', text: line, why };
  } else {
    const inner = text.slice(block.open + 1, block.close);
    edit = { file, start: block.open + 1, end: block.close, expect: inner, text: `${eol}${line}${indentAt(text, block.span[0])}`, why };
  }
  return finish(file, text, [edit], (body) => {
    const found = findBlock(body, blockStart);
    return found?.body.items.some((item) => item.kind === 'attribute' && item.name === name) ? null : `after the edit the block has no ${name}`;
  });
}
