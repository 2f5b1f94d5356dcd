import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import type { Edit } from './edit.js';
import {
  columnOf,
  keyString,
  lineEndOf,
  lineStartOf,
  mapQuoting,
  nextLineStart,
  pairFor,
  quote,
  scalarString,
  startsLine,
  type FileModel,
  type Located,
  type QuoteStyle,
  type YamlPath,
} from './file-model.js';
import { templateInsertPoint, templateLineRemoval } from './helm-edits.js';
import type { Intent } from './verify.js';

/**
 * Edit builders on `yaml` nodes. Each returns the byte-range edits of one change and its intents (the data change
 * they mean), or declines with a reason; none ever re-serialises a document. New text copies the file's own line
 * break, its indentation and the quoting of the neighbouring keys and values.
 */
export interface EditSet {
  readonly edits: readonly Edit[];
  readonly intents: readonly Intent[];
}

export type Built = EditSet | { readonly decline: string };

export const noEdits: EditSet = { edits: [], intents: [] };

export function declined(built: Built): built is { readonly decline: string } {
  return 'decline' in built;
}

/** Both edit sets, or the first decline. */
export function combine(...sets: readonly Built[]): Built {
  const edits: Edit[] = [];
  const intents: Intent[] = [];
  for (const set of sets) {
    if (declined(set)) return set;
    edits.push(...set.edits);
    intents.push(...set.intents);
  }
  return { edits, intents };
}

/** A map to write: string leaves, nested maps. */
export type Tree = { readonly [key: string]: string | Tree };

function insert(file: FileModel, offset: number, text: string, why: string): Edit {
  return { file: file.path, start: offset, end: offset, expect: '', text, why };
}

function replace(file: FileModel, start: number, end: number, text: string, why: string): Edit {
  return { file: file.path, start, end, expect: file.text.slice(start, end), text, why };
}

function leaves(tree: Tree, path: YamlPath): { path: YamlPath; value: string }[] {
  return Object.entries(tree).flatMap(([key, value]) => (typeof value === 'string' ? [{ path: [...path, key], value }] : leaves(value, [...path, key])));
}

function setIntents(at: Located, tree: Tree): Intent[] {
  return leaves(tree, at.path).map((leaf) => ({ op: 'set' as const, doc: at.doc, path: leaf.path, value: leaf.value }));
}

/**
 * Why editing at `at` would also change another place of the document, or null: a node on the way from the document
 * root carries an anchor (`&labels`) that an alias may repeat (a selector sharing the pod labels), or the map merges
 * another (`<<: *base`).
 */
export function sharedByAnchor(at: Located): string | null {
  let node: unknown = at.file.docs[at.doc]?.contents;
  const check = (item: unknown): string | null => {
    if (item && typeof item === 'object' && 'anchor' in item && typeof (item as { anchor?: unknown }).anchor === 'string') {
      return `the YAML there is shared through the anchor &${(item as { anchor: string }).anchor}; edit it by hand`;
    }
    if (isMap(item) && item.items.some((pair) => keyString(pair) === '<<')) return 'the map merges another one (<<); edit it by hand';
    return null;
  };
  for (const key of at.path) {
    const problem = check(node);
    if (problem) return problem;
    if (typeof key === 'number') node = isSeq(node) ? node.items[key] : null;
    else node = isMap(node) ? pairFor(node, key)?.value : null;
  }
  return check(node);
}

/** The pair whose value is the node at `path` (the key owning a map), or null for a document root or a list item. */
export function ownerPair(file: FileModel, doc: number, path: YamlPath): Pair<Node, Node | null> | null {
  const last = path[path.length - 1];
  if (typeof last !== 'string') return null;
  let node: unknown = file.docs[doc]?.contents;
  for (const key of path.slice(0, -1)) {
    if (typeof key === 'number') node = isSeq(node) ? node.items[key] : null;
    else node = isMap(node) ? pairFor(node, key)?.value : null;
  }
  return isMap(node) ? pairFor(node, last) : null;
}

/** An empty value (`labels:` with nothing after it) or an explicit null. */
function isEmptyValue(node: Node | null | undefined): boolean {
  if (!node) return true;
  return isScalar(node) && (node.value === null || node.value === undefined) && (node.range?.[0] ?? 0) === (node.range?.[1] ?? 0);
}

/** The offset just past a pair's content: its value's end, or the key's. */
function pairEnd(pair: Pair<Node, Node | null>): number {
  const value = pair.value;
  if (value?.range && !isEmptyValue(value)) return value.range[1];
  return pair.key.range?.[1] ?? 0;
}

/** Where a new line goes after the line holding `end` (a content end offset). */
function afterLine(file: FileModel, end: number): { offset: number; lead: string; trail: string } {
  if (end > 0 && file.text[end - 1] === '\n') return { offset: end, lead: '', trail: file.eol };
  const next = nextLineStart(file.text, end);
  if (next === file.text.length && !file.text.endsWith('\n')) return { offset: next, lead: file.eol, trail: '' };
  return { offset: next, lead: '', trail: file.eol };
}

interface Styles {
  readonly key: QuoteStyle;
  readonly value: QuoteStyle;
}

/** Quoting for new entries of a map: keys and values as their neighbours are written; JSON always double. */
function stylesOf(file: FileModel, map: YAMLMap | null): Styles {
  if (file.json) return { key: 'double', value: 'double' };
  if (!map || map.items.length === 0) return { key: 'plain', value: 'plain' };
  const value = mapQuoting(map, 'value');
  return { key: mapQuoting(map, 'key'), value: value === 'single' || value === 'double' ? value : 'plain' };
}

/** Block lines for a tree at `indent`, each ending with `eol`. */
export function blockLines(tree: Tree, indent: number, step: number, styles: Styles, eol: string): string {
  let out = '';
  for (const [key, value] of Object.entries(tree)) {
    const name = quote(key, styles.key);
    if (typeof value === 'string') out += `${' '.repeat(indent)}${name}: ${quote(value, styles.value)}${eol}`;
    else out += `${' '.repeat(indent)}${name}:${eol}${blockLines(value, indent + step, step, { key: 'plain', value: 'plain' }, eol)}`;
  }
  return out;
}

/** A tree as one flow map: `{"k": "v"}` in JSON, `{k: "v"}` style in YAML; `{ k: v }` when `padded`. */
function flowMap(tree: Tree, styles: Styles, padded = false): string {
  const pad = padded ? ' ' : '';
  return `{${pad}${Object.entries(tree).map(([key, value]) => `${quote(key, styles.key)}: ${typeof value === 'string' ? quote(value, styles.value) : flowMap(value, styles, padded)}`).join(', ')}${pad}}`;
}

/** A flow collection written with spaces inside its brackets: `{ a: 1 }`. */
function isPadded(file: FileModel, node: YAMLMap | YAMLSeq): boolean {
  const range = node.range;
  if (!range) return false;
  const text = file.parseText.slice(range[0], range[1]);
  return /^[{[] /.test(text) && /\s[}\]]\s*$/.test(text);
}

/** A tree as JSON over several lines, its first line at the cursor and the rest indented from `indent`. */
function jsonBlock(tree: Tree, indent: number, step: number, eol: string): string {
  return JSON.stringify(tree, null, step).split('\n').map((line, index) => (index === 0 ? line : `${' '.repeat(indent)}${line}`)).join(eol);
}

/**
 * Adds `tree` (new keys) to a map. Block maps get lines after their last entry, indented like their entries; flow
 * maps get `, key: value` before `}` (on a line of its own when the map spans lines).
 */
export function addToMap(at: Located<YAMLMap>, tree: Tree, why: string): Built {
  const { file, node } = at;
  if (Object.keys(tree).length === 0) return noEdits;
  const shared = sharedByAnchor(at);
  if (shared) return { decline: shared };
  for (const key of Object.keys(tree)) if (pairFor(node, key)) return { decline: `${key} is already in the map` };
  const intents = setIntents(at, tree);
  const styles = stylesOf(file, node);
  if (node.flow) return addToFlowMap(at, tree, styles, why, intents);
  const first = node.items[0];
  const firstKey = first?.key as Node | undefined;
  if (!first || !firstKey?.range || !startsLine(file.text, firstKey.range[0])) {
    return { decline: `cannot tell the indentation of the map at ${at.path.join('.') || 'the document root'}` };
  }
  const indent = columnOf(file.text, firstKey.range[0]);
  const owner = ownerPair(file, at.doc, at.path);
  if (file.template && owner?.key.range) {
    const point = templateInsertPoint(file, owner.key.range[0], node);
    if ('decline' in point) return point;
    const lead = point.offset === file.text.length && !file.text.endsWith('\n') ? file.eol : '';
    const text = blockLines(tree, point.indent ?? indent, file.indentStep, styles, file.eol);
    return { edits: [insert(file, point.offset, lead ? lead + text.slice(0, -file.eol.length) : text, why)], intents };
  }
  const text = blockLines(tree, indent, file.indentStep, styles, file.eol);
  // A new `metadata:` goes before `spec:`, where every manifest has it.
  const spec = 'metadata' in tree ? pairFor(node, 'spec') : null;
  const specKey = spec?.key.range?.[0];
  if (specKey !== undefined && startsLine(file.text, specKey) && columnOf(file.text, specKey) === indent) {
    return { edits: [insert(file, lineStartOf(file.text, specKey), text, why)], intents };
  }
  // A SecretProviderClass's new `clientID:` goes under `usePodIdentity:`, where a reader compares the two.
  const companion = 'clientID' in tree ? pairFor(node, 'usePodIdentity') : null;
  const last = companion && isScalar(companion.value) && companion.value.type !== 'BLOCK_FOLDED' && companion.value.type !== 'BLOCK_LITERAL'
    ? companion
    : (node.items[node.items.length - 1] as Pair<Node, Node | null>);
  const where = afterLine(file, pairEnd(last));
  return { edits: [insert(file, where.offset, where.lead ? where.lead + text.slice(0, -file.eol.length) : text, why)], intents };
}

function addToFlowMap(at: Located<YAMLMap>, tree: Tree, styles: Styles, why: string, intents: Intent[]): Built {
  const { file, node } = at;
  const range = node.range;
  if (!range) return { decline: 'flow map without a position' };
  const close = file.parseText.lastIndexOf('}', range[1] - 1);
  if (close < range[0]) return { decline: 'cannot find the end of the flow map' };
  const entries = Object.entries(tree);
  if (node.items.length === 0) {
    const inner = file.parseText.slice(range[0] + 1, close);
    if (inner.trim() !== '') return { decline: 'the empty flow map holds comments' };
    // `podAnnotations: {}` in a block map becomes a block of its own, as it would be written by hand.
    const owner = ownerPair(file, at.doc, at.path);
    const ownerKey = owner?.key.range?.[0];
    const rest = file.text.slice(close + 1, lineEndOf(file.text, close)).trim();
    if (!file.json && ownerKey !== undefined && startsLine(file.text, ownerKey) && file.lines.line(ownerKey) === file.lines.line(range[0]) && (rest === '' || rest.startsWith('#')) && !file.template) {
      const colon = file.parseText.lastIndexOf(':', range[0]);
      const lines = blockLines(tree, columnOf(file.text, ownerKey) + file.indentStep, file.indentStep, { key: 'plain', value: 'plain' }, file.eol);
      const comment = rest === '' ? '' : ` ${rest}`;
      return { edits: [replace(file, colon + 1, lineEndOf(file.text, close), `${comment}${file.eol}${lines.slice(0, -file.eol.length)}`, why)], intents };
    }
    return { edits: [replace(file, range[0], close + 1, flowMap(tree, styles), why)], intents };
  }
  const last = node.items[node.items.length - 1] as Pair<Node, Node | null>;
  const end = pairEnd(last);
  const between = file.parseText.slice(end, close);
  const trailingComma = /^\s*,/.test(between);
  const open = file.lines.line(range[0]);
  const lastKeyOffset = last.key.range?.[0] ?? range[0];
  const multiline = file.lines.line(lastKeyOffset) !== open;
  const rendered = entries.map(([key, value]) => {
    const name = quote(key, styles.key);
    if (typeof value === 'string') return `${name}: ${quote(value, styles.value)}`;
    return `${name}: ${multiline && file.json ? jsonBlock(value, columnOf(file.text, lastKeyOffset), file.indentStep, file.eol) : flowMap(value, styles, isPadded(file, node))}`;
  });
  if (multiline) {
    const indent = ' '.repeat(columnOf(file.text, lastKeyOffset));
    if (!startsLine(file.text, lastKeyOffset)) return { decline: 'cannot tell the indentation of the flow map' };
    if (trailingComma) {
      const comma = end + between.indexOf(',') + 1;
      return { edits: [insert(file, comma, rendered.map((item) => `${file.eol}${indent}${item},`).join(''), why)], intents };
    }
    return { edits: [insert(file, end, rendered.map((item) => `,${file.eol}${indent}${item}`).join(''), why)], intents };
  }
  if (trailingComma) {
    const comma = end + between.indexOf(',') + 1;
    return { edits: [insert(file, comma, rendered.map((item) => ` ${item},`).join(''), why)], intents };
  }
  return { edits: [insert(file, end, rendered.map((item) => `, ${item}`).join(''), why)], intents };
}

/**
 * Gives an empty key (`annotations:` with nothing after it) a block of entries, indented one step deeper than the
 * key (or, in a template, like the entries its `include`/`toYaml` lines emit).
 */
function fillEmptyKey(at: Located<YAMLMap>, key: string, tree: Tree, why: string): Built {
  const { file } = at;
  const shared = sharedByAnchor(at);
  if (shared) return { decline: shared };
  const pair = pairFor(at.node, key);
  const keyNode = pair?.key as Node | undefined;
  if (!pair || !keyNode?.range) return { decline: `no ${key} key` };
  const value = pair.value;
  if (value && !isEmptyValue(value)) return { decline: `${key} is not empty` };
  if (value && isScalar(value) && value.range && file.parseText.slice(value.range[0], value.range[2]).trim().replace(/#.*$/, '') !== '') {
    return { decline: `${key} is null` };
  }
  const keyColumn = columnOf(file.text, keyNode.range[0]);
  const intents = setIntents({ ...at, path: [...at.path, key] }, tree);
  const styles: Styles = file.json ? { key: 'double', value: 'double' } : { key: 'plain', value: 'plain' };
  if (at.node.flow) return { decline: `${key} has no value in a flow map` };
  if (file.template) {
    const point = templateInsertPoint(file, keyNode.range[0], null);
    if ('decline' in point) return point;
    const lead = point.offset === file.text.length && !file.text.endsWith('\n') ? file.eol : '';
    const text = blockLines(tree, point.indent ?? keyColumn + file.indentStep, file.indentStep, styles, file.eol);
    return { edits: [insert(file, point.offset, lead ? lead + text.slice(0, -file.eol.length) : text, why)], intents };
  }
  const text = blockLines(tree, keyColumn + file.indentStep, file.indentStep, styles, file.eol);
  const lineEnd = lineEndOf(file.text, keyNode.range[0]);
  return { edits: [insert(file, lineEnd, file.eol + text.slice(0, -file.eol.length), why)], intents };
}

/**
 * Makes sure the map at `at` + `path` holds `pairs`: missing maps on the way are created, missing keys added, keys
 * with another scalar value set. Nothing when everything is already there (so a second run edits nothing).
 */
export function ensurePairs(at: Located<YAMLMap>, path: readonly string[], pairs: Readonly<Record<string, string>>, why: string): Built {
  let current = at;
  for (let i = 0; i < path.length; i++) {
    const key = path[i] as string;
    const rest = path.slice(i + 1);
    const nested = rest.reduceRight<Tree>((tree, name) => ({ [name]: tree }), pairs);
    const pair = pairFor(current.node, key);
    if (!pair) return addToMap(current, { [key]: nested }, why);
    if (isMap(pair.value)) {
      current = { ...current, path: [...current.path, key], node: pair.value };
      continue;
    }
    if (isEmptyValue(pair.value)) return fillEmptyKey(current, key, nested, why);
    return { decline: `${[...current.path, key].join('.')} is not a map` };
  }
  const missing: Record<string, string> = {};
  const sets: Built[] = [];
  for (const [key, value] of Object.entries(pairs)) {
    const pair = pairFor(current.node, key);
    if (!pair) {
      missing[key] = value;
      continue;
    }
    if (scalarString(pair.value) === value) continue;
    sets.push(setScalar({ ...current, path: [...current.path, key], node: pair.value as Node }, value, why));
  }
  return combine(...sets, addToMap(current, missing, why));
}

/** Replaces a scalar's value, keeping its quoting (a plain scalar that would change type gets double quotes). */
export function setScalar(at: Located, value: string, why: string): Built {
  const { file, node } = at;
  if (!isScalar(node) || !node.range) return { decline: `${at.path.join('.')} is not a scalar` };
  if (node.type === 'BLOCK_FOLDED' || node.type === 'BLOCK_LITERAL') return { decline: `${at.path.join('.')} is a block scalar` };
  const shared = sharedByAnchor(at);
  if (shared) return { decline: shared };
  const [start, end] = node.range;
  if (file.template && file.text.slice(start, end).includes('{{')) return { decline: `${at.path.join('.')} is written by a template expression` };
  const style: QuoteStyle = file.json || node.type === 'QUOTE_DOUBLE' ? 'double' : node.type === 'QUOTE_SINGLE' ? 'single' : 'plain';
  if (start === end) return { decline: `${at.path.join('.')} has no value to replace` };
  return { edits: [replace(file, start, end, quote(value, style), why)], intents: [{ op: 'set', doc: at.doc, path: at.path, value }] };
}

type Collection = YAMLMap | YAMLSeq;

/** Start of an entry: the key of a pair; the `- ` of a block list item, the item itself in a flow list. */
function entryStart(collection: Collection, index: number, file: FileModel): number | null {
  const item = collection.items[index] as unknown;
  if (isMap(collection)) return ((item as Pair<Node, Node | null>).key as Node | null)?.range?.[0] ?? null;
  const start = (item as Node | null)?.range?.[0];
  if (start === undefined) return null;
  if (collection.flow) return start;
  const line = lineStartOf(file.text, start);
  const before = file.parseText.slice(line, start);
  return /^\s*-\s*$/.test(before) ? line + before.indexOf('-') : null;
}

function entryEnd(collection: Collection, index: number): number | null {
  const item = collection.items[index] as unknown;
  if (isMap(collection)) return pairEnd(item as Pair<Node, Node | null>);
  return (item as Node | null)?.range?.[1] ?? null;
}

/**
 * Removes entries (by index) from a map or a list. Block entries go with their whole lines (their own trailing
 * comment too); flow entries with one comma. A block collection left empty becomes `{}` / `[]`, so the key keeps
 * its meaning (a `labels:` left with no value would read as null).
 */
export function removeEntries(at: Located<Collection>, indexes: readonly number[], why: string, emptied: Emptied = 'braces'): Built {
  const { file, node } = at;
  const unique = [...new Set(indexes)].sort((a, b) => a - b);
  if (unique.length === 0) return noEdits;
  const shared = sharedByAnchor(at) ?? unique.map((index) => {
    const item = node.items[index] as unknown;
    const value = isMap(node) ? (item as Pair<Node, Node | null>).value : item;
    return value && typeof value === 'object' && 'anchor' in value && (value as { anchor?: unknown }).anchor ? `an entry removed carries the anchor &${String((value as { anchor: unknown }).anchor)}` : null;
  }).find((problem) => problem !== null) ?? null;
  if (shared) return { decline: shared };
  if (unique.length === node.items.length && emptied === 'key' && !file.template) {
    // The key goes too, when its map keeps other keys (`annotations:` added by pod2wi and emptied again).
    const parent = parentOf(at);
    const index = parent ? parent.node.items.findIndex((pair) => keyString(pair) === at.path[at.path.length - 1]) : -1;
    if (parent && index >= 0 && parent.node.items.length > 1) return removeEntries(parent, [index], why);
  }
  const intents: Intent[] = unique.map((index) => ({
    op: 'delete' as const,
    doc: at.doc,
    path: [...at.path, isMap(node) ? (keyString(node.items[index]) ?? '') : index],
  }));
  const everything = unique.length === node.items.length;
  if (node.flow) {
    const range = node.range;
    if (!range) return { decline: 'flow collection without a position' };
    if (everything) {
      const closer = isMap(node) ? '}' : ']';
      const close = file.parseText.lastIndexOf(closer, range[1] - 1);
      const inner = file.parseText.slice(range[0] + 1, close);
      if (/#/.test(inner.replace(/"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'/g, ''))) return { decline: 'the flow collection holds comments' };
      return { edits: [replace(file, range[0], close + 1, isMap(node) ? '{}' : '[]', why)], intents };
    }
    const edits: Edit[] = [];
    // Runs of consecutive entries: remove from the run's first start to the next kept entry's start, or for a run
    // at the end, from the previous kept entry's end.
    const kept = new Set(node.items.map((_, index) => index).filter((index) => !unique.includes(index)));
    let i = 0;
    while (i < node.items.length) {
      if (kept.has(i)) {
        i++;
        continue;
      }
      let j = i;
      while (j + 1 < node.items.length && !kept.has(j + 1)) j++;
      if (j + 1 < node.items.length) {
        const start = entryStart(node, i, file);
        const next = entryStart(node, j + 1, file);
        if (start === null || next === null) return { decline: 'cannot find the entries of the flow collection' };
        edits.push(replace(file, start, next, '', why));
      } else {
        const previous = entryEnd(node, i - 1);
        const end = entryEnd(node, j);
        if (previous === null || end === null) return { decline: 'cannot find the entries of the flow collection' };
        edits.push(replace(file, previous, end, '', why));
      }
      i = j + 1;
    }
    for (const edit of edits) {
      if (/#/.test(edit.expect.replace(/"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'/g, ''))) return { decline: 'a comment sits between the flow entries' };
    }
    return { edits, intents };
  }
  const edits: Edit[] = [];
  for (const index of unique) {
    const start = entryStart(node, index, file);
    const end = entryEnd(node, index);
    if (start === null || end === null || !startsLine(file.text, start)) return { decline: 'an entry does not start its line' };
    if (file.template) {
      const removal = templateLineRemoval(file, start, end);
      if ('decline' in removal) return removal;
      edits.push(replace(file, removal.start, removal.end, '', why));
      continue;
    }
    const stop = end > 0 && file.text[end - 1] === '\n' ? end : nextLineStart(file.text, end);
    edits.push(replace(file, lineStartOf(file.text, start), stop, '', why));
  }
  if (everything) {
    // In a template, other lines of the block (includes, toYaml) may still fill it: leave the key as it is.
    const owner = ownerPair(file, at.doc, at.path);
    const injected = file.template !== null && owner?.key.range ? templateBlockHasOtherLines(file, edits, owner.key.range[0]) : false;
    if (injected) {
      return { edits, intents: [{ op: 'set', doc: at.doc, path: at.path, value: null }] };
    }
    if (!owner?.key.range) return { decline: 'the collection would be left empty and has no key to hold {}' };
    const parent = parentOf(at);
    if (file.template && emptied === 'key' && parent && parent.node.items.length > 1 && !node.flow) {
      const removal = templateLineRemoval(file, owner.key.range[0], owner.key.range[1]);
      if (!('decline' in removal) && !removal.wrapper) {
        edits.push(replace(file, removal.start, removal.end, '', why));
        return { edits, intents: [{ op: 'delete', doc: at.doc, path: at.path }] };
      }
    }
    const colon = file.parseText.indexOf(':', owner.key.range[1]);
    if (colon < 0 || file.lines.line(colon) !== file.lines.line(owner.key.range[0])) return { decline: 'cannot find the key of the emptied collection' };
    edits.push(insert(file, colon + 1, isMap(node) ? ' {}' : ' []', why));
  }
  return { edits, intents };
}

/**
 * What an emptied map becomes: `braces` keeps its key with `{}` (values files, where a missing key means something
 * else); `key` removes the key too when its parent keeps other keys (pod template labels and annotations).
 */
export type Emptied = 'braces' | 'key';

/** The map holding the key that owns `at`, or null for a document root or a list item. */
function parentOf(at: Located): Located<YAMLMap> | null {
  if (typeof at.path[at.path.length - 1] !== 'string') return null;
  let node: unknown = at.file.docs[at.doc]?.contents;
  const path = at.path.slice(0, -1);
  for (const key of path) {
    if (typeof key === 'number') node = isSeq(node) ? node.items[key] : null;
    else node = isMap(node) ? pairFor(node, key)?.value : null;
  }
  return isMap(node) ? { file: at.file, doc: at.doc, path, node } : null;
}

/** Whether a template block keeps non-blank lines once `edits` are applied (an `include` that still fills it). */
function templateBlockHasOtherLines(file: FileModel, edits: readonly Edit[], keyOffset: number): boolean {
  const keyIndent = columnOf(file.text, keyOffset);
  let offset = nextLineStart(file.text, keyOffset);
  while (offset < file.text.length) {
    const end = nextLineStart(file.text, offset);
    const removed = edits.some((edit) => edit.start <= offset && end <= edit.end);
    const content = file.text.slice(offset, end).replace(/\r?\n$/, '');
    const trimmed = content.trimStart();
    if (trimmed !== '' && content.length - trimmed.length <= keyIndent) return false;
    if (!removed && trimmed !== '' && !trimmed.startsWith('#')) return true;
    offset = end;
  }
  return false;
}

/** Removes the keys of a map that exist; nothing when none does. */
export function removeKeys(at: Located<YAMLMap>, keys: readonly string[], why: string, emptied: Emptied = 'braces'): Built {
  const indexes = at.node.items.flatMap((pair, index) => (keys.includes(keyString(pair) ?? '\u0000') ? [index] : []));
  return removeEntries(at, indexes, why, emptied);
}

/**
 * Removes whole documents with their `---` lines, keeping the comments that introduce the next document kept. A run
 * of neighbouring documents goes as one range; a run at the start of the file takes the next `---` with it, and a
 * run followed by a document without `---` (after `...`) leaves a separator so its neighbours stay apart.
 */
export function removeDocuments(file: FileModel, indexes: readonly number[], why: string): Built {
  const unique = [...new Set(indexes)].sort((a, b) => a - b);
  const edits: Edit[] = [];
  let i = 0;
  while (i < unique.length) {
    let j = i;
    while (j + 1 < unique.length && unique[j + 1] === (unique[j] as number) + 1) j++;
    const first = unique[i] as number;
    const lastIndex = unique[j] as number;
    const doc = file.docs[first];
    const last = file.docs[lastIndex];
    if (!doc?.range || !last?.range) return { decline: `no document ${first}` };
    const next = file.docs[lastIndex + 1];
    if (!startsLine(file.text, doc.range[0])) return { decline: 'the document does not start a line' };
    const start = lineStartOf(file.text, doc.range[0]);
    let end = last.range[2];
    // Comment lines right above the next `---` introduce the next document: keep them.
    if (next?.range) {
      let cut = end;
      while (cut > start) {
        const lineStart = lineStartOf(file.text, cut - 1);
        if (lineStart < start || !file.text.slice(lineStart, cut).trim().startsWith('#')) break;
        cut = lineStart;
      }
      end = cut;
    }
    let text = '';
    const opensWithMarker = doc.directives?.docStart === true;
    if (next?.range && next.directives?.docStart !== true) text = `---${file.eol}`;
    else if (!opensWithMarker && next?.range && next.directives?.docStart === true && end === next.range[0] && file.docs.slice(0, first).every((other) => other.contents === null || other.contents === undefined)) {
      // The first document goes with the `---` that opened the next one, when that line is only the marker.
      const markerEnd = nextLineStart(file.text, next.range[0]);
      if (/^---[ \t]*\r?\n$/.test(file.text.slice(next.range[0], markerEnd))) end = markerEnd;
    }
    if (end <= start) return { decline: 'the document has no text of its own' };
    edits.push(replace(file, start, end, text, why));
    i = j + 1;
  }
  return { edits, intents: unique.map((doc) => ({ op: 'delete-doc' as const, doc })) };
}

export function removeDocument(file: FileModel, index: number, why: string): Built {
  return removeDocuments(file, [index], why);
}

/** Appends a document after the last one, introduced by `---`. */
export function appendDocument(file: FileModel, value: Tree, why: string): Built {
  if (file.json) return { decline: 'a JSON file holds one document' };
  const body = blockLines(value, 0, file.indentStep, { key: 'plain', value: 'plain' }, file.eol);
  const empty = file.text.trim() === '';
  const text = empty ? body : file.text.endsWith('\n') ? `---${file.eol}${body}` : `${file.eol}---${file.eol}${body.slice(0, -file.eol.length)}`;
  return { edits: [insert(file, file.text.length, text, why)], intents: [{ op: 'append-doc', value }] };
}

/** Appends an item to a list (a `kind: List`'s items), in the list's own style. */
export function appendItem(at: Located<YAMLSeq>, value: Tree, why: string): Built {
  const { file, node } = at;
  const intents: Intent[] = [{ op: 'push', doc: at.doc, path: at.path, value }];
  const last = node.items[node.items.length - 1] as Node | undefined;
  if (!last?.range) return { decline: 'the list is empty' };
  if (node.flow) {
    const start = last.range[0];
    const multiline = file.lines.line(start) !== file.lines.line(node.range?.[0] ?? start);
    const indent = columnOf(file.text, start);
    const rendered = file.json
      ? jsonBlock(value, indent, file.indentStep, file.eol)
      : flowMap(value, { key: 'plain', value: 'plain' });
    const text = multiline && startsLine(file.text, start) ? `,${file.eol}${' '.repeat(indent)}${rendered}` : `, ${rendered}`;
    return { edits: [insert(file, last.range[1], text, why)], intents };
  }
  const dash = entryStart(node, node.items.length - 1, file);
  if (dash === null || !startsLine(file.text, dash)) return { decline: 'cannot tell the indentation of the list' };
  const dashColumn = columnOf(file.text, dash);
  const itemColumn = columnOf(file.text, last.range[0]);
  const lines = blockLines(value, itemColumn, file.indentStep, { key: 'plain', value: 'plain' }, file.eol);
  const text = `${' '.repeat(dashColumn)}-${' '.repeat(Math.max(1, itemColumn - dashColumn - 1))}${lines.slice(itemColumn)}`;
  const where = afterLine(file, last.range[1]);
  return { edits: [insert(file, where.offset, where.lead ? where.lead + text.slice(0, -file.eol.length) : text, why)], intents };
}

/** Appends a plain string item to a block list of strings (a kustomization's `resources`). */
export function appendScalarItem(at: Located<YAMLSeq>, value: string, why: string): Built {
  const { file, node } = at;
  const intents: Intent[] = [{ op: 'push', doc: at.doc, path: at.path, value }];
  const last = node.items[node.items.length - 1] as Node | undefined;
  if (!last?.range || node.flow) return { decline: 'the list is empty or written inline' };
  const dash = entryStart(node, node.items.length - 1, file);
  if (dash === null || !startsLine(file.text, dash)) return { decline: 'cannot tell the indentation of the list' };
  const dashColumn = columnOf(file.text, dash);
  const itemColumn = columnOf(file.text, last.range[0]);
  const style = isScalar(last) && last.type === 'QUOTE_DOUBLE' ? 'double' : isScalar(last) && last.type === 'QUOTE_SINGLE' ? 'single' : 'plain';
  const text = `${' '.repeat(dashColumn)}-${' '.repeat(Math.max(1, itemColumn - dashColumn - 1))}${quote(value, style)}${file.eol}`;
  const where = afterLine(file, last.range[1]);
  return { edits: [insert(file, where.offset, where.lead ? where.lead + text.slice(0, -file.eol.length) : text, why)], intents };
}

/** The text of a new file holding one object: YAML block style, or JSON when the neighbour is JSON. */
export function newFileText(value: Tree, json: boolean, step: number, eol: string): string {
  if (json) return `${JSON.stringify(value, null, step).split('\n').join(eol)}${eol}`;
  return blockLines(value, 0, step, { key: 'plain', value: 'plain' }, eol);
}
