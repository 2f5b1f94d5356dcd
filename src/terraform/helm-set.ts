import { generatedOrigin, isMap, isScalar, isSeq, type Origin, type RMap, type RNode, type RPair, type RSeq } from '../k8s/rendered.js';

/**
 * Helm's `--set` syntax as the Terraform Helm provider applies `set` blocks: the provider joins `name=value` and hands
 * it to Helm's strvals parser (helm/helm:pkg/strvals/parser.go). A name is a path: `a.b.c` nests maps, `a\.b` is
 * one key with a dot, `list[0]` indexes a list (Helm caps an index at 65536). With type `auto` the value is typed
 * like strvals' `typedVal` (true/false/null case-insensitively, integers without a leading zero); `set_string` and
 * `type = "string"` keep the text.
 */

export type SetPath = readonly (string | number)[];

/** Helm refuses list indexes above this (strvals `MaxIndex`). */
export const maxSetIndex = 65536;

/** The path of a `--set` name, or the reason it is not one. */
export function parseSetName(name: string): { ok: true; path: SetPath } | { ok: false; reason: string } {
  const path: (string | number)[] = [];
  let key = '';
  let i = 0;
  let afterIndex = false;
  while (i < name.length) {
    const c = name[i] ?? '';
    if (c === '\\') {
      if (i + 1 >= name.length) return { ok: false, reason: 'ends with a backslash' };
      key += name[i + 1];
      i += 2;
      continue;
    }
    if (c === '.') {
      if (key === '' && !afterIndex) return { ok: false, reason: `empty key at ${i}` };
      if (key !== '') path.push(key);
      key = '';
      afterIndex = false;
      i++;
      continue;
    }
    if (c === '[') {
      if (key !== '') path.push(key);
      else if (path.length === 0) return { ok: false, reason: 'starts with an index' };
      key = '';
      const close = name.indexOf(']', i);
      if (close < 0) return { ok: false, reason: 'an index without ]' };
      const digits = name.slice(i + 1, close);
      if (!/^[0-9]+$/.test(digits)) return { ok: false, reason: `index "${digits}" is not a number` };
      const index = Number(digits);
      if (index > maxSetIndex) return { ok: false, reason: `index ${index} is larger than Helm allows (${maxSetIndex})` };
      path.push(index);
      afterIndex = true;
      i = close + 1;
      if (i < name.length && name[i] !== '.' && name[i] !== '[') return { ok: false, reason: `unexpected "${name[i] ?? ''}" after an index` };
      continue;
    }
    if (c === ',' || c === '=') return { ok: false, reason: `"${c}" in a name` };
    if (afterIndex) return { ok: false, reason: 'text right after an index' };
    key += c;
    i++;
  }
  if (key !== '') path.push(key);
  else if (!afterIndex) return { ok: false, reason: name === '' ? 'empty name' : 'ends with a dot' };
  if (path.length === 0) return { ok: false, reason: 'empty name' };
  return { ok: true, path };
}

/** A `set` value as Helm types it (strvals `typedVal`) for type auto. */
export function typedSetValue(text: string): string | number | boolean | null {
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (text === '0') return 0;
  if (text !== '' && text[0] !== '0' && /^[+-]?[0-9]+$/.test(text)) {
    const value = Number(text);
    if (Number.isSafeInteger(value)) return value;
  }
  return text;
}

/** `value` placed at `path` in `root`, creating maps and lists on the way (new nodes are `generated` near `near`). */
export function applySet(root: RMap, path: SetPath, value: RNode, near: Origin, keyOrigin: Origin): RMap {
  const result = setIn(root, path, 0, value, near, keyOrigin);
  return isMap(result) ? result : root;
}

function emptyMap(near: Origin): RMap {
  return { kind: 'map', pairs: [], origin: generatedOrigin('set', near) };
}

function setIn(node: RNode | null, path: SetPath, depth: number, value: RNode, near: Origin, keyOrigin: Origin): RNode {
  const step = path[depth];
  if (step === undefined) return value;
  if (typeof step === 'number') {
    const seq: RSeq = isSeq(node) ? node : { kind: 'seq', items: [], origin: generatedOrigin('set', near) };
    const items = [...seq.items];
    while (items.length <= step) items.push({ kind: 'scalar', value: null, origin: generatedOrigin('set', near) });
    items[step] = setIn(items[step] ?? null, path, depth + 1, value, near, keyOrigin);
    return { ...seq, items };
  }
  const map: RMap = isMap(node) ? node : emptyMap(near);
  const index = map.pairs.findIndex((pair) => pair.key === step);
  const current = index >= 0 ? (map.pairs[index]?.value ?? null) : null;
  const next = setIn(current && !isScalar(current) ? current : depth + 1 < path.length ? null : current, path, depth + 1, value, near, keyOrigin);
  const pair: RPair = { key: step, keyOrigin: index >= 0 ? (map.pairs[index]?.keyOrigin ?? keyOrigin) : depth === path.length - 1 ? keyOrigin : generatedOrigin('set', near), value: next };
  const pairs = [...map.pairs];
  if (index >= 0) pairs[index] = pair;
  else pairs.push(pair);
  return { ...map, pairs };
}

/**
 * Helm's merge of values layers: maps merge key by key, recursively; anything else in a later layer replaces the
 * earlier value.
 */
export function mergeValues(base: RMap, overlay: RMap): RMap {
  const pairs = [...base.pairs];
  for (const pair of overlay.pairs) {
    const index = pairs.findIndex((candidate) => candidate.key === pair.key);
    const existing = index >= 0 ? pairs[index] : undefined;
    if (existing && isMap(existing.value) && isMap(pair.value)) {
      pairs[index] = { ...pair, value: mergeValues(existing.value, pair.value) };
      continue;
    }
    if (index >= 0) pairs.splice(index, 1, pair);
    else pairs.push(pair);
  }
  const unknowns = [...(base.unknowns ?? []), ...(overlay.unknowns ?? [])];
  return unknowns.length > 0 ? { ...base, pairs, unknowns } : { ...base, pairs };
}
