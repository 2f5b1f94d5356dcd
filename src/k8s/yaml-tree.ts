import { Composer, isAlias, isMap as isYamlMap, isPair, isScalar as isYamlScalar, isSeq as isYamlSeq, Parser, type Document, type Node } from 'yaml';
import { LineIndex } from './line-index.js';
import type { Condition, Origin, RMap, RNode, RPair, RScalar, RSeq, RUnknown, ScalarPart, SourceKind, Unknown } from './rendered.js';

/**
 * YAML text → rendered trees with origins. A plain file maps every node to its own text; a rendered template maps
 * its output back to the template and values through an {@link OutputMap}.
 */

/** Marks an unknown value in rendered text: `\uE000` index `\uE001`. Private-use characters no repository writes. */
export const unknownOpen = '\uE000';
export const unknownClose = '\uE001';
const unknownToken = /\uE000(\d+)\uE001/g;
/** An unknown emitted alone on its line is a block (an included map): it is written as this comment. */
const blockUnknownComment = /#\uE000(\d+)\uE001/g;

/** How offsets of a rendered text map back to the sources that produced them. */
export interface OutputMap {
  /** The origin of the output text [start, end): verbatim when one source span produced exactly it. */
  originOf(start: number, end: number): Origin;
  /** The unknown an `\uE000n\uE001` token stands for. */
  unknown(index: number): Unknown | null;
  /** Template branches taken around an output offset, outermost first (empty when none). */
  conditionsAt?(offset: number): readonly Condition[];
}

/** A YAML document read into a tree, with its place in the text. */
export interface TreeDocument {
  readonly node: RNode | null;
  /** Offsets of the document in the text. */
  readonly start: number;
  readonly end: number;
  /** The origin of the document's start (its first node, or where it begins). */
  readonly at: Origin;
}

/** A document that did not parse, or a limit that was hit. */
export interface TreeProblem {
  readonly at: Origin;
  readonly message: string;
  /** The text looked like a Kubernetes object (apiVersion/kind) or mentions aadpodidbinding. */
  readonly looksLikeManifest: boolean;
  readonly start: number;
  readonly end: number;
}

export interface TreeFile {
  readonly documents: readonly TreeDocument[];
  readonly problems: readonly TreeProblem[];
}

export interface ReadTreeOptions {
  /** What kind of source the text is (for a plain file); rendered text takes its kinds from `map`. */
  readonly source: SourceKind;
  /** For rendered text: where each output offset came from. */
  readonly map?: OutputMap;
  /** Record `Origin.path` (the key path from the document root): for values files. */
  readonly paths?: boolean;
  /** Deepest nesting read; deeper content becomes a problem. */
  readonly maxDepth?: number;
  /** Most nodes one document may expand to (aliases included). */
  readonly maxNodes?: number;
  /**
   * The YAML version to resolve plain scalars with: '1.2' (the default) or '1.1', as Helm reads values files through
   * go-yaml v2 (`yes`/`on`/`y` are booleans, `0777` is octal).
   */
  readonly version?: '1.1' | '1.2';
}

export const defaultMaxDepth = 256;
export const defaultMaxNodes = 2_000_000;

const manifestHint = /^\s*["']?(apiVersion|kind)["']?\s*:/m;

class LimitError extends Error {}

/**
 * Reads every document of a YAML (or JSON) text. Documents that fail to parse become problems and the others are
 * kept. Aliases are expanded (their origin is the anchored node), merge keys (`<<`) apply, duplicate keys keep the
 * last value. Never throws on bad input.
 */
export function readTree(file: string, text: string, options: ReadTreeOptions): TreeFile {
  const index = new LineIndex(text);
  const documents: TreeDocument[] = [];
  const problems: TreeProblem[] = [];
  const fileOrigin = (start: number, end: number): Origin => {
    const { line, column } = index.position(start);
    return { source: options.source, file, line, column, span: [start, end] };
  };
  const originOf = options.map ? options.map.originOf.bind(options.map) : fileOrigin;
  // Documents are composed one at a time, so a file of thousands of documents never holds all their syntax trees.
  const composer = new Composer({ uniqueKeys: false, merge: true, prettyErrors: false, ...(options.version ? { version: options.version } : {}) });
  const parsed = composer.compose(new Parser().parse(text), true, text.length) as Generator<Document.Parsed>;
  for (;;) {
    let next: IteratorResult<Document.Parsed>;
    try {
      next = parsed.next();
    } catch (error) {
      problems.push({ at: originOf(0, 0), message: `does not parse: ${messageOf(error)}`, looksLikeManifest: manifestHint.test(text), start: 0, end: text.length });
      break;
    }
    if (next.done) break;
    const doc = next.value;
    const [start = 0, , end = text.length] = doc.range ?? [];
    const region = text.slice(start, end);
    if (doc.errors.length > 0) {
      const first = doc.errors[0];
      const offset = Math.min(first?.pos[0] ?? start, Math.max(0, text.length - 1));
      problems.push({
        at: originOf(offset, offset),
        message: (first?.message ?? 'invalid YAML').split('\n')[0] ?? 'invalid YAML',
        looksLikeManifest: manifestHint.test(region) || region.includes('aadpodidbinding'),
        start,
        end,
      });
      continue;
    }
    const builder = new TreeBuilder(doc, originOf, options);
    let node: RNode | null;
    try {
      node = doc.contents ? builder.build(doc.contents as Node, [], 0) : null;
      if (options.map) node = builder.attachBlockUnknowns(node, text, start, end);
    } catch (error) {
      if (!(error instanceof LimitError || error instanceof RangeError)) throw error;
      problems.push({ at: originOf(start, start), message: error instanceof LimitError ? error.message : 'nested too deeply to read', looksLikeManifest: manifestHint.test(region), start, end });
      continue;
    }
    const first = doc.contents?.range?.[0] ?? start;
    documents.push({ node, start, end, at: originOf(first, first) });
  }
  return { documents, problems };
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

/** Where each built collection sits in the text, for attaching block unknowns. */
interface Placed {
  readonly node: RMap | RSeq;
  readonly start: number;
  readonly end: number;
  /** Column (0-based) of the collection's entries; -1 for flow collections. */
  readonly indent: number;
}

class TreeBuilder {
  readonly #doc: Document.Parsed;
  readonly #originOf: (start: number, end: number) => Origin;
  readonly #options: ReadTreeOptions;
  readonly #maxDepth: number;
  readonly #maxNodes: number;
  #nodes = 0;
  readonly placed: Placed[] = [];
  /** Pairs whose value is empty, by the offset where the value would start: block unknowns may land there. */
  readonly emptyValues: { readonly pair: RPair; readonly keyStart: number; readonly keyIndent: number; readonly holder: RMap }[] = [];

  constructor(doc: Document.Parsed, originOf: (start: number, end: number) => Origin, options: ReadTreeOptions) {
    this.#doc = doc;
    this.#originOf = originOf;
    this.#options = options;
    this.#maxDepth = options.maxDepth ?? defaultMaxDepth;
    this.#maxNodes = options.maxNodes ?? defaultMaxNodes;
  }

  #origin(node: Node, path: readonly (string | number)[]): Origin {
    const [start = 0, valueEnd = start] = node.range ?? [];
    const origin = this.#originOf(start, valueEnd);
    return this.#options.paths ? { ...origin, path } : origin;
  }

  build(node: Node, path: readonly (string | number)[], depth: number, viaAlias: string | null = null): RNode {
    if (++this.#nodes > this.#maxNodes) throw new LimitError(`expands to more than ${this.#maxNodes} nodes (aliases?)`);
    if (depth > this.#maxDepth) throw new LimitError(`nested deeper than ${this.#maxDepth} levels`);
    if (isAlias(node)) {
      const target = node.resolve(this.#doc);
      if (!target) return { kind: 'scalar', value: null, origin: this.#origin(node, path) };
      return this.build(target as Node, path, depth + 1, `alias *${node.source}`);
    }
    const origin = viaAlias ? { ...this.#origin(node, path), span: null, via: viaAlias } : this.#origin(node, path);
    if (isYamlMap(node)) {
      const pairs: RPair[] = [];
      const explicit: RPair[] = [];
      const merged: RPair[] = [];
      const empties: { pair: RPair; keyStart: number; keyIndent: number }[] = [];
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const keyNode = item.key as Node | null;
        const valueNode = item.value as Node | null;
        if (isYamlScalar(keyNode) && (keyNode.value === '<<' || typeof keyNode.value === 'symbol') && valueNode) {
          merged.push(...this.#mergeSources(valueNode, path, depth));
          continue;
        }
        if (!isYamlScalar(keyNode) || keyNode.value === null || keyNode.value === undefined || typeof keyNode.value === 'symbol') continue;
        const key = String(keyNode.value);
        const keyOrigin = this.#origin(keyNode, [...path, key]);
        const childPath = this.#options.paths ? [...path, key] : path;
        const value: RNode = valueNode
          ? this.build(valueNode, childPath, depth + 1, viaAlias)
          : { kind: 'scalar', value: null, origin: { ...keyOrigin, span: null } };
        const conditions = this.#options.map?.conditionsAt?.(keyNode.range?.[0] ?? 0) ?? [];
        const pair: RPair = conditions.length > 0
          ? { key, keyOrigin: viaAlias ? { ...keyOrigin, span: null, via: viaAlias } : keyOrigin, value, conditions }
          : { key, keyOrigin: viaAlias ? { ...keyOrigin, span: null, via: viaAlias } : keyOrigin, value };
        explicit.push(pair);
        const keyStart = keyNode.range?.[0] ?? 0;
        if (!viaAlias && (!valueNode || (isYamlScalar(valueNode) && valueNode.value === null && valueNode.source === ''))) {
          empties.push({ pair, keyStart, keyIndent: -1 });
        }
      }
      // Explicit keys override merged ones; merged keys keep their first occurrence.
      const explicitKeys = new Set(explicit.map((pair) => pair.key));
      const seenMerged = new Set<string>();
      for (const pair of merged) {
        if (explicitKeys.has(pair.key) || seenMerged.has(pair.key)) continue;
        seenMerged.add(pair.key);
        pairs.push(pair);
      }
      pairs.push(...explicit);
      const map: RMap = { kind: 'map', pairs, origin };
      if (!viaAlias) {
        this.#place(map, node);
        for (const empty of empties) this.emptyValues.push({ ...empty, holder: map });
      }
      return map;
    }
    if (isYamlSeq(node)) {
      const items = node.items.map((item, i) => this.build(item as Node, this.#options.paths ? [...path, i] : path, depth + 1, viaAlias));
      const seq: RSeq = { kind: 'seq', items, origin };
      if (!viaAlias) this.#place(seq, node);
      return seq;
    }
    if (isYamlScalar(node)) {
      const raw = node.value;
      const value = raw === undefined ? null : typeof raw === 'bigint' ? Number(raw) : raw instanceof Date ? (node.source ?? raw.toISOString()) : raw;
      if (typeof value === 'string' && this.#options.map && value.includes(unknownOpen)) return this.#unknownScalar(value, origin);
      const scalar: RScalar = {
        kind: 'scalar',
        value: typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null ? value : String(value),
        origin,
      };
      return scalar;
    }
    return { kind: 'scalar', value: null, origin };
  }

  #mergeSources(valueNode: Node, path: readonly (string | number)[], depth: number): RPair[] {
    const sources = isYamlSeq(valueNode) ? (valueNode.items as Node[]) : [valueNode];
    const out: RPair[] = [];
    for (const source of sources) {
      const built = this.build(source, path, depth + 1, isAlias(source) ? null : 'merge key <<');
      if (built.kind === 'map') out.push(...built.pairs.map((pair) => ({ ...pair, keyOrigin: { ...pair.keyOrigin, span: null, via: pair.keyOrigin.via ?? 'merge key <<' } })));
    }
    return out;
  }

  #place(node: RMap | RSeq, yamlNode: Node): void {
    const [start = 0, , end = start] = yamlNode.range ?? [];
    const flow = (yamlNode as { flow?: boolean }).flow === true;
    this.placed.push({ node, start, end, indent: flow ? -1 : start });
  }

  /** A scalar holding unknown tokens: its known text and its unknowns, in order. */
  #unknownScalar(value: string, origin: Origin): RUnknown {
    const parts: ScalarPart[] = [];
    let cursor = 0;
    for (const match of value.matchAll(unknownToken)) {
      const at = match.index ?? 0;
      if (at > cursor) parts.push({ text: value.slice(cursor, at), origin: { ...origin, span: null } });
      const unknown = this.#options.map?.unknown(Number(match[1]));
      parts.push({ unknown: unknown ?? { expression: '?', reason: 'a value pod2wi could not follow', origin } });
      cursor = at + match[0].length;
    }
    if (cursor < value.length) parts.push({ text: value.slice(cursor), origin: { ...origin, span: null } });
    return { kind: 'unknown', parts, origin: { ...origin, span: null } };
  }

  /**
   * Block unknowns (an include that could not be rendered, alone on its line) were written as comments; each goes to
   * the innermost block collection its line belongs to, or turns an empty value (`labels:` followed only by it) into
   * a map of unknown content.
   */
  attachBlockUnknowns(root: RNode | null, text: string, start: number, end: number): RNode | null {
    const region = text.slice(start, end);
    const found: { offset: number; column: number; unknown: Unknown }[] = [];
    for (const match of region.matchAll(blockUnknownComment)) {
      const offset = start + (match.index ?? 0);
      const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
      const unknown = this.#options.map?.unknown(Number(match[1]));
      if (unknown) found.push({ offset, column: offset - lineStart, unknown });
    }
    if (found.length === 0 || !root) return root;
    const columnOf = (offset: number) => offset - (text.lastIndexOf('\n', offset - 1) + 1);
    const replacements = new Map<RNode, RNode>();
    const addUnknown = (target: RMap | RSeq, unknown: Unknown) => {
      const current = (replacements.get(target) ?? target) as RMap | RSeq;
      replacements.set(target, { ...current, unknowns: [...(current.unknowns ?? []), unknown] } as RMap | RSeq);
    };
    for (const item of found) {
      // An empty value whose key sits left of the comment, with nothing but the comment after it.
      const empty = this.emptyValues
        .filter((candidate) => candidate.keyStart < item.offset && columnOf(candidate.keyStart) < item.column && /^[^\n]*\n(\s*(#[^\n]*)?\n)*\s*$/.test(text.slice(candidate.keyStart, item.offset)))
        .sort((a, b) => b.keyStart - a.keyStart)[0];
      if (empty) {
        const map: RMap = { kind: 'map', pairs: [], origin: { ...empty.pair.value.origin, span: null }, unknowns: [item.unknown] };
        const previous = replacements.get(empty.pair.value);
        replacements.set(empty.pair.value, previous && previous.kind === 'map' ? { ...previous, unknowns: [...(previous.unknowns ?? []), item.unknown] } : map);
        continue;
      }
      // The innermost block collection at the comment's column that holds it, or that starts right after it (an
      // include written before the first key of a map).
      const holder = this.placed
        .filter(
          (placed) =>
            placed.indent >= 0 &&
            columnOf(placed.indent) === item.column &&
            ((placed.start <= item.offset && item.offset <= placed.end + 1) || (placed.start > item.offset && /^[^\n]*\n(\s*(#[^\n]*)?\n)*\s*$/.test(text.slice(item.offset, placed.start)))),
        )
        .sort((a, b) => b.start - a.start)[0];
      if (holder) addUnknown(holder.node, item.unknown);
    }
    return replacements.size === 0 ? root : replaceNodes(root, replacements);
  }
}

/** The tree with some nodes replaced (by identity), rebuilt along the paths that lead to them. */
function replaceNodes(node: RNode, replacements: ReadonlyMap<RNode, RNode>): RNode {
  const direct = replacements.get(node);
  const base = direct ?? node;
  if (base.kind === 'map') {
    let changed = direct !== undefined;
    const pairs = base.pairs.map((pair) => {
      const value = replaceNodes(pair.value, replacements);
      if (value === pair.value) return pair;
      changed = true;
      return { ...pair, value };
    });
    return changed ? { ...base, pairs } : node;
  }
  if (base.kind === 'seq') {
    let changed = direct !== undefined;
    const items = base.items.map((item) => {
      const value = replaceNodes(item, replacements);
      if (value !== item) changed = true;
      return value;
    });
    return changed ? { ...base, items } : node;
  }
  return base;
}
