import { isMap, isPair, isScalar, isSeq, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import type { Location } from '../model/location.js';
import type { Injection, SanitizedTemplate } from './helm/template.js';
import { decodePlaceholders, describeCondition, partsToTemplate } from './helm/template.js';
import type { LineIndex } from './line-index.js';

/**
 * A scalar as pod2wi read it. `value` is the literal text, or what a template resolved to, or null when a template
 * could not be resolved (then `template` holds its text). `at` is where the scalar is written; `resolvedAt` is
 * where a templated value came from (a values.yaml line).
 */
export interface TextValue {
  readonly value: string | null;
  readonly at: Location;
  readonly template?: string;
  readonly resolvedAt?: Location;
}

/** What a template reference resolved to, and where that value is written. */
export interface Resolution {
  readonly value: string;
  readonly at: Location | null;
}

/** How a templated document resolves its expressions and block injections (Helm values, named templates). */
export interface TemplateContext {
  readonly kind: 'helm' | 'go-template';
  readonly sanitized: SanitizedTemplate;
  /** Chart directory (root-relative) for Helm, null for a bare Go template. */
  readonly chart: string | null;
  resolve(expression: string, dot: string | null): Resolution | null;
  /**
   * Whether the branches around a line are taken with these values: false when a condition is known false, true
   * when all are known true or there are none, null when pod2wi cannot tell.
   */
  isActive(line: number): boolean | null;
  /** The map entries a standalone `include`/`toYaml` emits, located where they are written. */
  inject(injection: Injection): readonly Entry[];
}

/**
 * One YAML document of one file, parsed with positions. For templates, `text` is the sanitized text (same offsets
 * as the original) and `template` says how to read placeholders.
 */
export interface SourceDoc {
  readonly file: string;
  readonly text: string;
  readonly index: LineIndex;
  readonly contents: Node | null;
  readonly template: TemplateContext | null;
}

/** A key/value pair of a map, with the key's location. `via` says how it got there when not written inline. */
export interface Entry {
  readonly key: string;
  readonly keyAt: Location;
  readonly node: Node | null;
  readonly value: TextValue | null;
  readonly doc: SourceDoc;
  readonly via: 'inline' | 'include' | 'values' | 'kustomize';
  /** Template conditions around the entry (`if .Values.podIdentity.enabled`), outermost first. */
  readonly conditions: readonly string[];
}

export function locate(doc: SourceDoc, offset: number): Location {
  const { line, column } = doc.index.position(offset);
  return { file: doc.file, line, column };
}

export function nodeLocation(doc: SourceDoc, node: Node): Location {
  return locate(doc, node.range?.[0] ?? 0);
}

/** The string key of a map pair, decoded when templated; null for complex keys. */
function keyText(doc: SourceDoc, key: unknown): string | null {
  if (!isScalar(key)) return null;
  const raw = key.value;
  if (raw === null || raw === undefined) return null;
  const text = String(raw);
  if (!doc.template || !text.includes('§')) return text;
  return partsToTemplate(decodePlaceholders(text, doc.template.sanitized.expressions));
}

/** The value at `key` of a map node (the first one when a template's branches repeat a key). */
export function get(doc: SourceDoc, node: Node | null | undefined, key: string): Node | null {
  if (!isMap(node)) return null;
  for (const pair of node.items) {
    if (keyText(doc, pair.key) === key) return (pair.value as Node | null) ?? null;
  }
  return null;
}

export function getIn(doc: SourceDoc, node: Node | null | undefined, path: readonly string[]): Node | null {
  let current: Node | null | undefined = node;
  for (const key of path) {
    current = get(doc, current, key);
    if (!current) return null;
  }
  return current ?? null;
}

/** The pair for `key`, for callers that need the key's own location. */
export function pairOf(doc: SourceDoc, node: Node | null | undefined, key: string) {
  if (!isMap(node)) return null;
  return node.items.find((pair) => keyText(doc, pair.key) === key) ?? null;
}

export function asMap(node: Node | null | undefined): YAMLMap | null {
  return isMap(node) ? node : null;
}

export function asSeq(node: Node | null | undefined): YAMLSeq | null {
  return isSeq(node) ? node : null;
}

/** Reads a scalar node as text, resolving template placeholders through the document's context. */
export function text(doc: SourceDoc, node: Node | null | undefined): TextValue | null {
  if (!isScalar(node)) return null;
  const at = nodeLocation(doc, node);
  const raw = node.value;
  if (raw === null || raw === undefined) return { value: '', at };
  const literal = typeof raw === 'string' ? raw : String(raw);
  const template = doc.template;
  if (!template || !literal.includes('§')) return { value: literal, at };
  const parts = decodePlaceholders(literal, template.sanitized.expressions);
  const templateText = partsToTemplate(parts);
  const dot = template.sanitized.dots[at.line - 1] ?? null;
  let value = '';
  let resolvedAt: Location | undefined;
  for (const part of parts) {
    if ('literal' in part) {
      value += part.literal;
      continue;
    }
    const resolution = template.resolve(part.expression, dot);
    if (!resolution) return { value: null, at, template: templateText };
    value += resolution.value;
    resolvedAt ??= resolution.at ?? undefined;
  }
  return resolvedAt ? { value, at, template: templateText, resolvedAt } : { value, at, template: templateText };
}

export function textAt(doc: SourceDoc, node: Node | null | undefined, path: readonly string[]): TextValue | null {
  return text(doc, getIn(doc, node, path));
}

export function conditionsAt(doc: SourceDoc, line: number): readonly string[] {
  return (doc.template?.sanitized.conditions[line - 1] ?? []).map(describeCondition);
}

/** False when the template branch holding this line is not taken with the values in use. */
export function isInactive(doc: SourceDoc, line: number): boolean {
  return doc.template?.isActive(line) === false;
}

/**
 * The entries of a map, inline ones first, then any a template injects into the block (`include`, `toYaml`).
 * `blockKeyAt` is the location of the key that owns the map (`labels:`), needed to find injections when the map
 * is written only through them and parses as null.
 */
export function entries(doc: SourceDoc, node: Node | null | undefined, blockKeyAt?: Location): Entry[] {
  const found: Entry[] = [];
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = keyText(doc, pair.key);
      if (key === null) continue;
      const keyNode = pair.key as Node;
      const keyAt = nodeLocation(doc, keyNode);
      if (isInactive(doc, keyAt.line)) continue;
      const valueNode = (pair.value as Node | null) ?? null;
      found.push({
        key,
        keyAt,
        node: valueNode,
        value: valueNode ? text(doc, valueNode) : { value: '', at: keyAt },
        doc,
        via: 'inline',
        conditions: conditionsAt(doc, keyAt.line),
      });
    }
  }
  if (doc.template && blockKeyAt) {
    for (const injection of injectionsInBlock(doc, blockKeyAt)) {
      if (!isInactive(doc, injection.line)) found.push(...doc.template.inject(injection));
    }
  }
  return found;
}

/**
 * The standalone injections that land inside the block owned by the key at `keyAt`: after the key's line, before
 * the next line indented at or left of the key, and indented deeper than the key.
 */
export function injectionsInBlock(doc: SourceDoc, keyAt: Location): Injection[] {
  const template = doc.template;
  if (!template) return [];
  const keyIndent = keyAt.column - 1;
  const lines = doc.text.split('\n');
  let endLine = lines.length;
  for (let line = keyAt.line + 1; line <= lines.length; line++) {
    const content = lines[line - 1] ?? '';
    const trimmed = content.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (content.length - trimmed.length <= keyIndent || trimmed.startsWith('---')) {
      endLine = line;
      break;
    }
  }
  return template.sanitized.injections.filter(
    (injection) => injection.line > keyAt.line && injection.line < endLine && injection.indent > keyIndent,
  );
}
