import { displayText, isMap, isScalar, isSeq, type Origin, type RMap, type RNode, type RPair, type RScalar } from '../rendered.js';

/** Helpers over immutable rendered trees: each returns a new node and shares everything it did not change. */

export function scalarNode(value: RScalar['value'], origin: Origin): RScalar {
  return { kind: 'scalar', value, origin };
}

export function emptyMap(origin: Origin): RMap {
  return { kind: 'map', pairs: [], origin };
}

/** The last pair with `key` (YAML keeps the last of duplicate keys), with its index. */
export function findPair(map: RMap, key: string): { pair: RPair; index: number } | null {
  for (let i = map.pairs.length - 1; i >= 0; i--) {
    const pair = map.pairs[i];
    if (pair && pair.key === key) return { pair, index: i };
  }
  return null;
}

/** The map with `key` set to `value`: replaced in place when present (keeping the key's origin), else appended. */
export function setPair(map: RMap, key: string, value: RNode, keyOrigin: Origin): RMap {
  const found = findPair(map, key);
  if (found) {
    if (found.pair.value === value) return map;
    const pairs = [...map.pairs];
    pairs[found.index] = { ...found.pair, value };
    return { ...map, pairs };
  }
  return { ...map, pairs: [...map.pairs, { key, keyOrigin, value }] };
}

export function removePair(map: RMap, key: string): RMap {
  if (!map.pairs.some((pair) => pair.key === key)) return map;
  return { ...map, pairs: map.pairs.filter((pair) => pair.key !== key) };
}

/** Text of a scalar as kyaml reads it (numbers and booleans as written, null as ''); unknown parts as displayed. */
export function valueText(node: RNode | null | undefined): string | null {
  if (!node) return null;
  if (node.kind === 'scalar') return node.value === null ? '' : String(node.value);
  if (node.kind === 'unknown') return displayText(node);
  return null;
}

/** A map's entries as strings (labels, annotations): what kyaml's GetLabels / GetAnnotations return. */
export function stringMap(node: RNode | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!isMap(node)) return out;
  for (const pair of node.pairs) {
    const text = valueText(pair.value);
    if (text !== null) out.set(pair.key, text);
  }
  return out;
}

/** Deep equality of plain data (unknowns compare by their display text). */
export function sameData(a: RNode | null | undefined, b: RNode | null | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  if ((a.kind === 'scalar' || a.kind === 'unknown') && (b.kind === 'scalar' || b.kind === 'unknown')) {
    if (a.kind !== b.kind) return false;
    return a.kind === 'scalar' && b.kind === 'scalar' ? a.value === b.value : displayText(a) === displayText(b);
  }
  if (isMap(a) && isMap(b)) {
    if (a.pairs.length !== b.pairs.length) return false;
    const other = new Map(b.pairs.map((pair) => [pair.key, pair.value]));
    return a.pairs.every((pair) => other.has(pair.key) && sameData(pair.value, other.get(pair.key)));
  }
  if (isSeq(a) && isSeq(b)) return a.items.length === b.items.length && a.items.every((item, i) => sameData(item, b.items[i]));
  return false;
}

/** A tree from plain data (a JSON patch value, a generated map), every node with `origin`. */
export function fromPlain(value: unknown, origin: Origin): RNode {
  if (Array.isArray(value)) return { kind: 'seq', items: value.map((item) => fromPlain(item, origin)), origin };
  if (value !== null && typeof value === 'object') {
    return {
      kind: 'map',
      pairs: Object.entries(value as Record<string, unknown>).map(([key, item]) => ({ key, keyOrigin: origin, value: fromPlain(item, origin) })),
      origin,
    };
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return { kind: 'scalar', value, origin };
  return { kind: 'scalar', value: null, origin };
}

/** Nodes under (and including) `node`, memoised per node so shared subtrees are counted once per call site. */
export function nodeCount(node: RNode, memo: WeakMap<object, number>): number {
  const known = memo.get(node);
  if (known !== undefined) return known;
  let count = 1;
  if (node.kind === 'map') for (const pair of node.pairs) count += nodeCount(pair.value, memo);
  else if (node.kind === 'seq') for (const item of node.items) count += nodeCount(item, memo);
  memo.set(node, count);
  return count;
}

/** True for a scalar written as nothing (`key:`), which kyaml treats apart from an explicit `null` or `~`. */
export function isEmptyNull(node: RNode | null | undefined): boolean {
  if (!isScalar(node) || node.value !== null) return false;
  const span = node.origin.span;
  return span === null ? node.origin.via === undefined : span[0] === span[1];
}

/** The origin with its span removed and a note of what computed the value. */
export function computed(origin: Origin, via: string): Origin {
  return { ...origin, span: null, via };
}

/** The same origin under another source kind (a kustomization field read as a patch, a label, a namespace). */
export function asSource(origin: Origin, source: Origin['source']): Origin {
  return origin.source === source ? origin : { ...origin, source };
}

/** The tree with every occurrence of `from` (by identity) replaced by `to`. */
export function replaceIdentity(node: RNode, from: RNode, to: RNode): RNode {
  if (node === from) return to;
  if (node.kind === 'map') {
    let changed = false;
    const pairs = node.pairs.map((pair) => {
      const value = replaceIdentity(pair.value, from, to);
      if (value === pair.value) return pair;
      changed = true;
      return { ...pair, value };
    });
    return changed ? { ...node, pairs } : node;
  }
  if (node.kind === 'seq') {
    let changed = false;
    const items = node.items.map((item) => {
      const value = replaceIdentity(item, from, to);
      if (value !== item) changed = true;
      return value;
    });
    return changed ? { ...node, items } : node;
  }
  return node;
}

/**
 * Kustomize writes scalars in place, and one labels or commonAnnotations entry puts the same value node at every field
 * it creates in an object (metadata.labels and the pod template's labels): a later write to one of those fields shows
 * in all of them. `aliased` holds the nodes known to sit at several places of their object; writes made through
 * `wrap` to such a node are carried to every place by `apply`.
 */
export class AliasedWrites {
  readonly #aliased: WeakSet<object>;
  readonly #pending: [RNode, RNode][] = [];

  constructor(aliased: WeakSet<object>) {
    this.#aliased = aliased;
  }

  /** Records that `from` is overwritten by `to` (when `from` is aliased), and returns `to`. */
  overwrite(from: RNode, to: RNode): RNode {
    if (from !== to && this.#aliased.has(from)) {
      this.#pending.push([from, to]);
      this.#aliased.add(to);
    }
    return to;
  }

  wrap(set: (node: RNode) => RNode): (node: RNode) => RNode {
    return (node) => this.overwrite(node, set(node));
  }

  apply<T extends RNode>(root: T): T {
    let out: RNode = root;
    for (const [from, to] of this.#pending.splice(0)) out = replaceIdentity(out, from, to);
    return out as T;
  }
}
