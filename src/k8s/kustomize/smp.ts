import { displayText, type Origin, type RMap, type RNode, type RPair, type RScalar, type RSeq, type RUnknown, type Unknown } from '../rendered.js';
import { schemaKinds, schemaTypes, type SchemaField } from './openapi-table.js';
import { isEmptyNull } from './tree.js';

/**
 * Strategic-merge patches as Kustomize 5.5 applies them (kyaml merge2 with "prepend" list growth): maps merge key by
 * key; lists of built-in kinds that Kubernetes merges (containers, env, volumes by name; ports by containerPort and
 * protocol; ...; see openapi-table.ts) merge by key, the patch's elements first; every other list, and every list of a
 * custom resource, is replaced; `$patch: delete | replace | merge` on maps and list elements; `null` deletes a key.
 * The walk covers the whole target, as kyaml's does, so its side effects are reproduced: a key written with no value
 * (`key:`) is dropped, an element of a merged list that is null or `{}` is dropped, and an element-level
 * `$patch: replace` inside a merged list keeps the target's element. `$setElementOrder`, `$retainKeys` and
 * `$deleteFromPrimitiveList` are not applied: kustomize copies them into the output as ordinary fields.
 *
 * The merge runs on a mutable working copy so it can follow kyaml's algorithm step by step (it relies on node identity);
 * the result is frozen back into an immutable tree that shares every untouched subtree with the target, and each node
 * the patch contributed keeps the patch's origin.
 */

export class MergeError extends Error {}

interface WScalar {
  readonly k: 'scalar';
  src: RScalar | RUnknown;
  /** kyaml keeps this null in the output (a `null` or `~` the patch did not touch). */
  keep: boolean;
}

interface WPair {
  readonly key: string;
  readonly keyOrigin: Origin;
  value: W;
  readonly src: RPair | null;
}

interface WMap {
  readonly k: 'map';
  pairs: WPair[];
  readonly origin: Origin;
  readonly src: RMap | null;
  readonly unknowns: readonly Unknown[] | undefined;
  dirty: boolean;
}

interface WSeq {
  readonly k: 'seq';
  items: W[];
  readonly origin: Origin;
  readonly src: RSeq | null;
  readonly unknowns: readonly Unknown[] | undefined;
  dirty: boolean;
}

type W = WScalar | WMap | WSeq;

/** A schema position: the type of a map, or a list field (merge keys, item type). */
interface Schema {
  readonly type?: string;
  readonly list?: SchemaField;
}

/** Working copy of a tree; a scalar that sits at several places of the object (aliased) becomes one shared node. */
function thaw(node: RNode, aliased: WeakSet<object>, shared: Map<RNode, WScalar>): W {
  switch (node.kind) {
    case 'scalar':
    case 'unknown': {
      if (!aliased.has(node)) return { k: 'scalar', src: node, keep: false };
      const known = shared.get(node);
      if (known) return known;
      const w: WScalar = { k: 'scalar', src: node, keep: false };
      shared.set(node, w);
      return w;
    }
    case 'map':
      return {
        k: 'map',
        pairs: node.pairs.map((pair) => ({ key: pair.key, keyOrigin: pair.keyOrigin, value: thaw(pair.value, aliased, shared), src: pair })),
        origin: node.origin,
        src: node,
        unknowns: node.unknowns,
        dirty: false,
      };
    case 'seq':
      return { k: 'seq', items: node.items.map((item) => thaw(item, aliased, shared)), origin: node.origin, src: node, unknowns: node.unknowns, dirty: false };
  }
}

function freeze(w: W): RNode {
  if (w.k === 'scalar') {
    // A kept null loses its span: kyaml writes it back as `null`.
    return w.src;
  }
  if (w.k === 'map') {
    const pairs = w.pairs.map((pair): RPair => {
      const value = freeze(pair.value);
      if (pair.src && pair.src.value === value && pair.src.key === pair.key) return pair.src;
      return pair.src ? { ...pair.src, value } : { key: pair.key, keyOrigin: pair.keyOrigin, value };
    });
    if (w.src && pairs.length === w.src.pairs.length && pairs.every((pair, i) => pair === w.src?.pairs[i])) return w.src;
    const map: RMap = { kind: 'map', pairs, origin: w.origin };
    return w.unknowns ? { ...map, unknowns: w.unknowns } : map;
  }
  const items = w.items.map(freeze);
  if (w.src && items.length === w.src.items.length && items.every((item, i) => item === w.src?.items[i])) return w.src;
  const seq: RSeq = { kind: 'seq', items, origin: w.origin };
  return w.unknowns ? { ...seq, unknowns: w.unknowns } : seq;
}

// --- kyaml node predicates, on working nodes ------------------------------------------------------------------

function isNull(w: W | null): boolean {
  return w !== null && w.k === 'scalar' && w.src.kind === 'scalar' && w.src.value === null;
}

function isMissingOrNull(w: W | null): boolean {
  return w === null || isNull(w);
}

function isEmptyMap(w: W | null): boolean {
  return isMissingOrNull(w) || (w?.k === 'map' && w.pairs.length === 0);
}

/** The scalar's text as kyaml's `Value` holds it. */
function rawText(w: W | null): string {
  if (!w || w.k !== 'scalar') return '';
  if (w.src.kind === 'unknown') return displayText(w.src) ?? '';
  const value = w.src.value;
  if (value === null) return isEmptyNull(w.src) ? '' : 'null';
  return String(value);
}

function isNilOrEmpty(w: W | null): boolean {
  if (w === null || isNull(w)) return true;
  if (w.k === 'map') return w.pairs.length === 0;
  if (w.k === 'seq') return w.items.length === 0;
  return false;
}

function field(w: W | null, key: string): WPair | null {
  if (!w || w.k !== 'map') return null;
  for (const pair of w.pairs) if (pair.key === key) return pair;
  return null;
}

function kindOf(w: W): 'map' | 'seq' | 'scalar' {
  return w.k;
}

function checkKinds(kind: 'map' | 'seq' | 'scalar', sources: readonly (W | null)[], path: readonly string[]): void {
  for (const source of sources) {
    if (!isMissingOrNull(source) && source && kindOf(source) !== kind) {
      throw new MergeError(`at ${path.join('.') || 'the top'}: cannot merge a ${kindOf(source)} with a ${kind}`);
    }
  }
}

// --- schema -------------------------------------------------------------------------------------------------

function schemaOfObject(w: W | null): Schema | null {
  if (!w || w.k !== 'map') return null;
  const apiVersion = field(w, 'apiVersion');
  const kind = field(w, 'kind');
  if (!apiVersion || !kind) return null;
  const type = schemaKinds[`${rawText(apiVersion.value)} ${rawText(kind.value)}`];
  return type ? { type } : null;
}

function schemaField(schema: Schema | null, key: string): Schema | null {
  if (!schema?.type) return null;
  const entry = schemaTypes[schema.type]?.[key];
  if (!entry) return null;
  return entry.mergeKeys ? { list: entry } : entry.type ? { type: entry.type, list: entry } : null;
}

function schemaElements(schema: Schema | null): Schema | null {
  return schema?.list?.type ? { type: schema.list.type } : null;
}

// --- directives ---------------------------------------------------------------------------------------------

type Directive = 'merge' | 'replace' | 'delete';

function directiveOf(patch: W | null): Directive {
  if (patch === null) return 'merge';
  if (patch.k === 'map') {
    const entry = field(patch, '$patch');
    if (!entry) return 'merge';
    const value = rawText(entry.value);
    if (value !== 'delete' && value !== 'replace' && value !== 'merge') throw new MergeError(`unknown patch strategy '${value}'`);
    patch.pairs = patch.pairs.filter((pair) => pair.key !== '$patch');
    patch.dirty = true;
    return value;
  }
  if (patch.k === 'seq') {
    const element = patch.items.find((item) => field(item, '$patch') !== null);
    if (!element || element.k !== 'map' || element.pairs.length > 1) return 'merge';
    const value = rawText(field(element, '$patch')?.value ?? null);
    if (value !== 'delete' && value !== 'replace' && value !== 'merge') throw new MergeError(`unknown patch strategy '${value}'`);
    setElement(patch, null, ['$patch'], [value]);
    return value;
  }
  throw new MergeError('no strategic merge patch strategy for a scalar');
}

// --- kyaml ElementSetter / ElementMatcher ------------------------------------------------------------------

/** Value of `key` in a map element, or null when absent (FieldMatcher with a value). */
function matchField(element: W, key: string, value: string): boolean {
  const entry = field(element, key);
  return entry !== null && rawText(entry.value) === value;
}

/**
 * kyaml's ElementSetter on a list: replaces (or, with `element` null, deletes) the elements whose `keys` have
 * `values`, appending `element` when none matched. Like kyaml it drops null and `{}` elements as it goes.
 */
function setElement(list: WSeq, element: W | null, keys: readonly string[], values: readonly string[]): void {
  const ks = keys.length === 0 ? [''] : keys;
  const mappingSetter = ks[0] !== '' && values.length > 0 && values[0] !== '';
  const out: W[] = [];
  let matched = false;
  for (const item of list.items) {
    if (isEmptyMap(item)) continue;
    if (item.k !== 'map' && mappingSetter) {
      out.push(item);
      continue;
    }
    let found = true;
    let last: boolean | null = null;
    for (let j = 0; j < ks.length; j++) {
      if (j < values.length) {
        const key = ks[j] ?? '';
        last = key === '' ? item.k === 'scalar' && rawText(item) === (values[j] ?? '') : item.k === 'map' && matchField(item, key, values[j] ?? '');
      }
      if (!last) {
        found = false;
        break;
      }
    }
    if (!found) {
      if (values.length > 0) out.push(item);
      continue;
    }
    matched = true;
    if (element !== null) out.push(element);
  }
  list.items = out;
  list.dirty = true;
  if (isMissingOrNull(element)) return;
  if (!matched && element) list.items.push(element);
}

/** kyaml's ElementMatcher with keys and values: the first map element whose keys have these values. */
function findElement(list: W | null, keys: readonly string[], values: readonly string[]): W | null {
  if (!list || list.k !== 'seq') return null;
  if (keys.length === 0 || keys[0] === '') {
    const value = values[0] ?? '';
    return list.items.find((item) => item.k === 'scalar' && rawText(item) === value) ?? null;
  }
  for (const item of list.items) {
    if (item.k !== 'map') continue;
    if (keys.every((key, i) => matchField(item, key, values[i] ?? ''))) return item;
  }
  return null;
}

function elementValuesList(list: W, keys: readonly string[]): string[][] {
  if (list.k !== 'seq') return [];
  return list.items.map((item) => keys.map((key) => {
    const entry = field(item, key);
    return !entry || isNilOrEmpty(entry.value) ? '' : rawText(entry.value);
  }));
}

function validateKeys(valuesList: readonly (readonly string[])[], values: readonly string[], keys: readonly string[]): [string[], string[]] {
  const valid = new Set<string>();
  for (const entry of valuesList) entry.forEach((value, i) => {
    if (value !== '') valid.add(keys[i] ?? '');
  });
  if (valid.size === 0) return [[...keys], [...values]];
  const validKeys = keys.filter((key) => valid.has(key));
  const validValues = values.filter((value, i) => value !== '' || valid.has(keys[i] ?? ''));
  return [validKeys, validValues];
}

function matchValues(a: readonly string[], b: readonly string[]): string[] | null {
  if (a.length !== b.length) return null;
  let common = false;
  const out: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x === y) {
      common = true;
      out.push(x);
      continue;
    }
    if (x !== '' && y !== '') return null;
    out.push(x !== '' ? x : y);
  }
  return common ? out : null;
}

function mergeValues(valuesList: string[][]): string[][] {
  for (let i = 0; i < valuesList.length; i++) {
    for (let j = 0; j < valuesList.length; j++) {
      const merged = matchValues(valuesList[i] ?? [], valuesList[j] ?? []);
      if (merged) {
        valuesList[i] = merged;
        valuesList[j] = merged;
      }
    }
  }
  return valuesList;
}

function appendListNode(dst: WSeq, src: WSeq, keys: readonly string[]): WSeq {
  for (const element of [...src.items]) {
    if ((keys[0] ?? '') === '') {
      setElement(dst, element, [''], [rawText(element)]);
      continue;
    }
    const values: string[] = [];
    for (const key of keys) {
      const entry = field(element, key);
      if (!entry) {
        dst.items.push(element);
        dst.dirty = true;
        continue;
      }
      values.push(rawText(entry.value));
    }
    if (keys.length > 1) setElement(dst, null, keys, values);
    setElement(dst, element, keys, values);
  }
  return dst;
}

// --- the walk -----------------------------------------------------------------------------------------------

class Walker {
  readonly directives = new Set<string>();
  readonly #aliased: WeakSet<object>;

  constructor(aliased: WeakSet<object>) {
    this.#aliased = aliased;
  }

  walk(dest: W | null, origin: W | null, schemaIn: Schema | null, path: readonly string[]): W | null {
    const schema = schemaIn ?? schemaOfObject(isMissingOrNull(dest) ? origin : dest) ?? schemaOfObject(origin);
    const first = [dest, origin].find((source) => !isMissingOrNull(source)) ?? null;
    const kind = first ? kindOf(first) : null;
    if (kind === 'seq') {
      checkKinds('seq', [dest, origin], path);
      const list = schema?.list;
      return list?.mergeKeys ? this.#associative(dest, origin, schema, path) : origin ?? dest;
    }
    if (kind === 'scalar') {
      checkKinds('scalar', [dest, origin], path);
      return origin ?? dest;
    }
    if (kind === 'map') checkKinds('map', [dest, origin], path);
    return this.#map(dest, origin, schema, path);
  }

  #visitMap(dest: W | null, origin: W | null): W | null {
    if (isMissingOrNull(dest)) {
      let directive: Directive = 'merge';
      try {
        directive = directiveOf(origin);
      } catch {
        directive = 'merge';
      }
      if (directive === 'delete') return null;
      if (origin === null && dest !== null && rawText(dest) !== '') {
        if (dest.k === 'scalar') dest.keep = true;
        return dest;
      }
      return origin;
    }
    if (isNull(origin)) return null;
    const directive = directiveOf(origin);
    if (directive === 'delete') return null;
    if (directive === 'replace') return origin;
    return dest;
  }

  #map(destIn: W | null, origin: W | null, schema: Schema | null, path: readonly string[]): W | null {
    const dest = this.#visitMap(destIn, origin);
    if (dest === null) return null;
    const names = new Set<string>();
    for (const source of [dest, origin]) if (source?.k === 'map') for (const pair of source.pairs) names.add(pair.key);
    const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const key of sorted) {
      if (key.startsWith('$setElementOrder/') || key.startsWith('$deleteFromPrimitiveList/') || key === '$retainKeys') this.directives.add(key);
      const destPair = field(dest, key);
      const originPair = field(origin, key);
      const value = this.walk(destPair?.value ?? null, originPair?.value ?? null, schemaField(schema, key), [...path, key]);
      setField(dest, key, value, destPair?.keyOrigin ?? originPair?.keyOrigin, this.#aliased);
    }
    return dest;
  }

  #associative(destIn: W | null, origin: W | null, schema: Schema | null, path: readonly string[]): W | null {
    // Merger.VisitList for an associative list.
    let dest: W | null;
    if (isMissingOrNull(destIn)) dest = origin;
    else if (isNull(origin)) dest = null;
    else {
      const directive = directiveOf(origin);
      dest = directive === 'delete' ? null : directive === 'replace' ? origin : destIn;
    }
    if (dest === null || dest.k !== 'seq') return dest;
    const keys = [...(schema?.list?.mergeKeys ?? [])];
    const elementSchema = schemaElements(schema);
    if (keys.length > 0) {
      const seen = new Set<string>();
      const valuesList: string[][] = [];
      for (const source of [origin, dest]) {
        if (!source || source.k !== 'seq') continue;
        for (const values of elementValuesList(source, keys)) {
          const id = JSON.stringify(values);
          if (values.length === 0 || seen.has(id)) continue;
          seen.add(id);
          valuesList.push(values);
        }
      }
      return this.#setElements(valuesList, keys, dest, origin, elementSchema, path);
    }
    // A merged list of scalars (finalizers): the union, the patch's values first.
    const seen = new Set<string>();
    const valuesList: string[][] = [];
    for (const source of [origin, dest]) {
      if (!source || source.k !== 'seq') continue;
      for (const item of source.items) {
        const text = rawText(item);
        if (seen.has(text)) continue;
        seen.add(text);
        valuesList.push([text]);
      }
    }
    return this.#setElements(valuesList, [''], dest, origin, elementSchema, path);
  }

  #setElements(valuesListIn: string[][], keys: readonly string[], destIn: WSeq, origin: W | null, schema: Schema | null, path: readonly string[]): W | null {
    let dest: WSeq = destIn;
    // The merged list; it reuses the target list when it ends up with the very same elements.
    const items: WSeq = { k: 'seq', items: [], origin: dest.origin, src: dest.src, unknowns: dest.unknowns, dirty: true };
    const valuesList = keys.length > 1 ? mergeValues(valuesListIn) : valuesListIn;
    let validKeys: string[] = [];
    let validValues: string[] = [];
    for (const values of valuesList) {
      if (values.length === 0) continue;
      [validKeys, validValues] = validateKeys(valuesList, values, keys);
      const [elementKeys, elementValues] = validateKeys([values], values, keys);
      const destElement = findElement(dest, elementKeys, elementValues);
      const originElement = findElement(origin, elementKeys, elementValues);
      const value = this.walk(destElement, originElement, schema, [...path, `[${elementValues.join(',')}]`]);
      let removed = false;
      for (let i = 0; i < validKeys.length; i++) {
        const key = validKeys[i] ?? '';
        if (isMissingOrNull(value) || isEmptyMap(value)) {
          setElement(dest, null, validKeys, validValues);
          removed = true;
        } else if (value && key !== '' && field(value, key) === null && (validValues[i] ?? '') !== '' && value.k === 'map') {
          value.pairs.push({ key, keyOrigin: value.origin, value: { k: 'scalar', src: { kind: 'scalar', value: validValues[i] ?? '', origin: value.origin }, keep: false }, src: null });
          value.dirty = true;
        }
      }
      if (removed || value === null) continue;
      setElement(items, value, validKeys, validValues);
    }
    if (valuesList.length > 0) dest = appendListNode(items, dest, validKeys);
    if (isMissingOrNull(dest)) return null;
    return dest;
  }
}

/**
 * kyaml's FieldSetter: null clears the field (a kept null stays), a present field is overwritten (a scalar in place,
 * so every place sharing it changes), else the field is appended.
 */
function setField(map: W, key: string, value: W | null, keyOrigin: Origin | undefined, aliased: WeakSet<object>): void {
  if (map.k !== 'map') return;
  if (value === null || (isNull(value) && !(value.k === 'scalar' && value.keep))) {
    if (map.pairs.some((pair) => pair.key === key)) {
      map.pairs = map.pairs.filter((pair) => pair.key !== key);
      map.dirty = true;
    }
    return;
  }
  const existing = field(map, key);
  if (existing) {
    if (existing.value === value) return;
    const old = existing.value;
    if (old.k === 'scalar' && value.k === 'scalar' && aliased.has(old.src)) {
      aliased.add(value.src);
      old.src = value.src;
      old.keep = value.keep;
    } else existing.value = value;
    map.dirty = true;
    return;
  }
  map.pairs.push({ key, keyOrigin: keyOrigin ?? map.origin, value, src: null });
  map.dirty = true;
}

/** The result of one strategic-merge patch on one object. */
export interface MergeResult {
  /** The merged object, or null when the patch deletes it (`$patch: delete` at the top). */
  readonly root: RMap | null;
  /** `$setElementOrder/…`, `$retainKeys`, `$deleteFromPrimitiveList/…` keys met (kept as fields, as kustomize does). */
  readonly directives: readonly string[];
}

/** Applies `patch` to `target` the way kustomize does. Throws MergeError when kustomize would fail. */
export function strategicMerge(target: RMap, patch: RMap, aliased: WeakSet<object> = new WeakSet()): MergeResult {
  const walker = new Walker(aliased);
  const shared = new Map<RNode, WScalar>();
  const result = walker.walk(thaw(target, aliased, shared), thaw(patch, aliased, new Map()), null, []);
  const root = result === null ? null : freeze(result);
  if (root !== null && root.kind !== 'map') throw new MergeError('the patch turns the object into something that is not a map');
  return { root: root && root.kind === 'map' && root.pairs.length > 0 ? root : null, directives: [...walker.directives].sort() };
}
