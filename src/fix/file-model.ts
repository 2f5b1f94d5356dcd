import { isMap, isPair, isScalar, isSeq, parse, parseAllDocuments, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { embeddedManifests, mayEmbedManifests } from '../k8s/embedded.js';
import { LineIndex } from '../k8s/line-index.js';
import { hasTemplateSyntax, sanitizeTemplate, type SanitizedTemplate } from './template-text.js';

/** A key path from a document's root: map keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

/**
 * One file as the fix stage edits it. `text` is the file as read (BOM removed); `parseText` is what the YAML parser
 * reads: the same text, or for a Go template its sanitized form (same length, same line breaks), so every node range
 * is an offset into `text` too.
 */
export interface FileModel {
  readonly path: string;
  readonly text: string;
  readonly bom: boolean;
  readonly template: SanitizedTemplate | null;
  readonly parseText: string;
  readonly docs: readonly Document.Parsed[];
  readonly lines: LineIndex;
  /** The file's line break: CRLF when its first line break is one. */
  readonly eol: '\n' | '\r\n';
  /** A JSON file: new keys are quoted and new entries follow JSON syntax. */
  readonly json: boolean;
  /** Spaces per nesting level, from the file's own block maps (2 when it has none). */
  readonly indentStep: number;
}

export function isTemplatePath(path: string): boolean {
  return /\.(ya?ml)\.(tpl|tmpl|gotmpl)$/i.test(path);
}

/** Reads a file into a model; `template` forces Go-template handling (files of a Helm chart's templates/). */
export function fileModel(path: string, text: string, bom: boolean, template: boolean): FileModel {
  // A runbook or script holding manifests (here-documents, ```yaml blocks) is parsed as the reader sees it: the
  // embedded bodies at their own offsets, everything else blanked, so splices land in the original text.
  const embedded = mayEmbedManifests(path, text) ? embeddedManifests(path, text) : null;
  const templated = embedded === null && (template || hasTemplateSyntax(text) || isTemplatePath(path));
  const sanitized = templated ? sanitizeTemplate(text) : null;
  const parseText = embedded ?? (sanitized ? sanitized.text : text);
  const docs = parseAllDocuments(parseText, { uniqueKeys: false, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [];
  const firstBreak = text.indexOf('\n');
  return {
    path,
    text,
    bom,
    template: sanitized,
    parseText,
    docs: list,
    lines: new LineIndex(text),
    eol: firstBreak > 0 && text[firstBreak - 1] === '\r' ? '\r\n' : '\n',
    json: /\.json$/i.test(path),
    indentStep: /\.json$/i.test(path) ? (/\n( +)"/.exec(text)?.[1]?.length ?? 2) : detectIndentStep(parseText, list),
  };
}

/** The most common difference between a block map key's column and its parent key's column. */
function detectIndentStep(text: string, docs: readonly Document.Parsed[]): number {
  const counts = new Map<number, number>();
  const visit = (node: unknown, parentColumn: number | null): void => {
    if (isMap(node)) {
      const first = node.items[0];
      const column = first && isScalar(first.key) && !node.flow ? columnOf(text, (first.key as Node).range?.[0] ?? 0) : null;
      if (column !== null && parentColumn !== null && column > parentColumn) counts.set(column - parentColumn, (counts.get(column - parentColumn) ?? 0) + 1);
      for (const pair of node.items) {
        const keyColumn = isScalar(pair.key) && !node.flow ? columnOf(text, (pair.key as Node).range?.[0] ?? 0) : null;
        visit(pair.value, keyColumn);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item, parentColumn);
    }
  };
  for (const doc of docs) visit(doc.contents, null);
  let best = 2;
  let bestCount = 0;
  for (const [step, count] of counts) {
    if (step > 8) continue;
    if (count > bestCount || (count === bestCount && step < best)) {
      best = step;
      bestCount = count;
    }
  }
  return best;
}

export function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset of the line break ending the line that holds `offset` (the `\r` of a CRLF), or the text's end. */
export function lineEndOf(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  if (newline < 0) return text.length;
  return newline > 0 && text[newline - 1] === '\r' ? newline - 1 : newline;
}

/** Offset just after the line break ending the line that holds `offset`, or the text's end. */
export function nextLineStart(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline < 0 ? text.length : newline + 1;
}

export function columnOf(text: string, offset: number): number {
  return offset - lineStartOf(text, offset);
}

/** Only spaces between the line's start and `offset`. */
export function startsLine(text: string, offset: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStartOf(text, offset), offset));
}

/** A node found in a file: which document, the path to it, and the node. */
export interface Located<T extends Node = Node> {
  readonly file: FileModel;
  readonly doc: number;
  readonly path: YamlPath;
  readonly node: T;
}

/** The document of `file` that holds `offset`. */
export function docAt(file: FileModel, offset: number): number {
  for (let i = 0; i < file.docs.length; i++) {
    const range = file.docs[i]?.range;
    if (range && offset >= range[0] && offset < Math.max(range[2], range[0] + 1)) return i;
  }
  return -1;
}

/**
 * The collection or scalar node that starts at `offset`, with its path. Collections win over a scalar starting at
 * the same offset (a map's first key starts where the map does).
 */
export function locate(file: FileModel, offset: number): Located | null {
  const doc = docAt(file, offset);
  if (doc < 0) return null;
  const root = file.docs[doc]?.contents as Node | null | undefined;
  let found: { path: YamlPath; node: Node } | null = null;
  const visit = (node: unknown, path: YamlPath): void => {
    if (!node || typeof node !== 'object' || !('range' in node)) return;
    const range = (node as Node).range;
    if (!range || offset < range[0] || offset > range[2]) return;
    if (range[0] === offset && (isMap(node) || isSeq(node)) && !found) found = { path, node: node as Node };
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = keyString(pair);
        if (key !== null) visit(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => visit(item, [...path, index]));
    }
    if (range[0] === offset && !found) found = { path, node: node as Node };
  };
  visit(root, []);
  const result = found as { path: YamlPath; node: Node } | null;
  return result ? { file, doc, path: result.path, node: result.node } : null;
}

/** Locates the map node starting at `offset`. */
export function locateMap(file: FileModel, offset: number): Located<YAMLMap> | null {
  const found = locate(file, offset);
  return found && isMap(found.node) ? { ...found, node: found.node } : null;
}

/** The pair whose key starts at `offset`, with the map holding it. */
export function locatePairByKey(file: FileModel, offset: number): { map: Located<YAMLMap>; pair: Pair<Node, Node | null>; key: string } | null {
  const doc = docAt(file, offset);
  if (doc < 0) return null;
  let found: { map: Located<YAMLMap>; pair: Pair<Node, Node | null>; key: string } | null = null;
  const visit = (node: unknown, path: YamlPath): void => {
    if (found || !node || typeof node !== 'object') return;
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = keyString(pair);
        if (key === null) continue;
        if ((pair.key as Node).range?.[0] === offset) {
          found = { map: { file, doc, path, node }, pair: pair as Pair<Node, Node | null>, key };
          return;
        }
        visit(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => visit(item, [...path, index]));
    }
  };
  visit(file.docs[doc]?.contents, []);
  return found;
}

/** The string key of a pair, or null for complex or missing keys. */
export function keyString(pair: unknown): string | null {
  if (!isPair(pair) || !isScalar(pair.key)) return null;
  const value = pair.key.value;
  return value === null || value === undefined ? null : String(value);
}

export function pairFor(map: YAMLMap, key: string): Pair<Node, Node | null> | null {
  for (const pair of map.items) if (keyString(pair) === key) return pair as Pair<Node, Node | null>;
  return null;
}

/** The child of a located map or sequence by key or index. */
export function child(at: Located, key: string | number): Located | null {
  const node = at.node;
  if (typeof key === 'number') {
    if (!isSeq(node)) return null;
    const item = node.items[key];
    return item && typeof item === 'object' && 'range' in item ? { ...at, path: [...at.path, key], node: item as Node } : null;
  }
  if (!isMap(node)) return null;
  const pair = pairFor(node, key);
  const value = pair?.value;
  return value ? { ...at, path: [...at.path, key], node: value } : null;
}

export function childMap(at: Located, key: string | number): Located<YAMLMap> | null {
  const found = child(at, key);
  return found && isMap(found.node) ? { ...found, node: found.node } : null;
}

export function childSeq(at: Located, key: string | number): Located<YAMLSeq> | null {
  const found = child(at, key);
  return found && isSeq(found.node) ? { ...found, node: found.node } : null;
}

/** A scalar's string value, or null. */
export function scalarString(node: unknown): string | null {
  if (!isScalar(node)) return null;
  const value = node.value;
  return value === null || value === undefined ? null : String(value);
}

/** A plain scalar that reads back as the same string in YAML 1.2 and 1.1 (no `true`, `on`, `8001`, `~`). */
export function isPlainSafe(value: string): boolean {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.\/-]*$/.test(value)) return false;
  // Words starting with a letter are strings unless they are YAML 1.1/1.2 booleans or null.
  if (/^[A-Za-z]/.test(value)) return !/^(y|yes|n|no|true|false|on|off|null)$/i.test(value);
  try {
    return parse(value) === value && parse(value, { version: '1.1' }) === value;
  } catch {
    return false;
  }
}

export type QuoteStyle = 'plain' | 'double' | 'single';

/** How the scalars of a map are quoted: the style all its (keys or values) share, else `plain`. */
export function mapQuoting(map: YAMLMap, part: 'key' | 'value'): QuoteStyle {
  const styles = new Set<QuoteStyle>();
  for (const pair of map.items) {
    const node = part === 'key' ? pair.key : pair.value;
    if (!isScalar(node)) continue;
    styles.add(node.type === 'QUOTE_DOUBLE' ? 'double' : node.type === 'QUOTE_SINGLE' ? 'single' : 'plain');
  }
  if (styles.size === 0 || styles.has('plain')) return 'plain';
  return styles.size === 1 ? ([...styles][0] ?? 'plain') : 'double';
}

/**
 * A scalar written in `style`: plain only when it reads back as the same string, else double-quoted (JSON string
 * syntax is valid YAML); single quotes double any `'`.
 */
export function quote(value: string, style: QuoteStyle): string {
  if (style === 'single') return `'${value.replace(/'/g, "''")}'`;
  if (style === 'plain' && isPlainSafe(value)) return value;
  return JSON.stringify(value);
}
