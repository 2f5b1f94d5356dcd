import type { Origin, RMap, RNode, SourceKind } from '../rendered.js';
import { Rope, segmentFor, type MapEntry, type ScalarSource, type UnknownTable, type Value } from './gotemplate/values.js';

/**
 * Chart values as Helm computes them (helm.sh/helm/v3/pkg/chartutil: MergeValues for the user's files, then
 * CoalesceValues for chart defaults, subchart sections and `global`), on values that remember where each key and
 * scalar was written. Numbers are float64, as Helm reads values through JSON (so `{{ .Values.n }}` of 1000000 prints
 * `1e+06`, and `eq .Values.replicas 1` is Go's "incompatible types" error).
 */

/** Reads the text at an origin's span (to tell whether a printed value is verbatim). */
export type RawText = (origin: Origin) => string | null;

/** A tree read from a values file (or a HelmRelease's values) as a template value. */
export function valueOfNode(node: RNode, raw: RawText, unknowns: UnknownTable, depth = 0): Value {
  if (depth > 300) return { k: 'nil' };
  switch (node.kind) {
    case 'scalar': {
      const src: ScalarSource = { origin: node.origin, raw: node.origin.span ? raw(node.origin) : null };
      const value = node.value;
      if (value === null) return { k: 'nil' };
      if (typeof value === 'boolean') return { k: 'bool', v: value, src };
      if (typeof value === 'number') return { k: 'float', v: value, src };
      return { k: 'string', s: Rope.of(value, segmentFor(value, src)), src };
    }
    case 'unknown': {
      const parts = node.parts.map((part) => ('text' in part ? Rope.of(part.text, { k: 'origin', origin: { ...part.origin, span: null } }) : unknowns.rope(part.unknown)));
      return { k: 'string', s: Rope.concat(parts) };
    }
    case 'seq':
      return { k: 'list', items: node.items.map((item) => valueOfNode(item, raw, unknowns, depth + 1)), t: '[]interface {}', origin: node.origin };
    case 'map': {
      const entries = new Map<string, MapEntry>();
      for (const pair of node.pairs) {
        const key: ScalarSource = { origin: pair.keyOrigin, raw: pair.keyOrigin.span ? raw(pair.keyOrigin) : null };
        entries.set(pair.key, { value: valueOfNode(pair.value, raw, unknowns, depth + 1), key });
      }
      const base = { k: 'map' as const, entries, t: 'map[string]interface {}' as const, origin: node.origin };
      return node.unknowns && node.unknowns.length > 0 ? { ...base, open: node.unknowns } : base;
    }
  }
}

export function emptyMap(origin?: Origin): Extract<Value, { k: 'map' }> {
  return origin ? { k: 'map', entries: new Map(), t: 'map[string]interface {}', origin } : { k: 'map', entries: new Map(), t: 'map[string]interface {}' };
}

type MapValue = Extract<Value, { k: 'map' }>;

function isTable(value: Value | undefined): value is MapValue {
  return value?.k === 'map';
}

function isNil(value: Value | undefined): boolean {
  return value?.k === 'nil' || value?.k === 'invalid';
}

/** A deep copy of a values tree (maps and lists), origins kept. */
export function copyValues(value: Value, depth = 0): Value {
  if (depth > 300) return value;
  if (value.k === 'map') {
    const entries = new Map<string, MapEntry>();
    for (const [key, entry] of value.entries) entries.set(key, entry.key ? { value: copyValues(entry.value, depth + 1), key: entry.key } : { value: copyValues(entry.value, depth + 1) });
    return { ...value, entries };
  }
  if (value.k === 'list') return { ...value, items: value.items.map((item) => copyValues(item, depth + 1)) };
  return value;
}

/** chartutil.MergeValues: user values files in order, later ones win, maps merged key by key. */
export function mergeUserValues(layers: readonly MapValue[]): MapValue {
  let out = emptyMap();
  for (const layer of layers) out = mergeMaps(out, copyValues(layer) as MapValue);
  return out;
}

function mergeMaps(a: MapValue, b: MapValue): MapValue {
  const entries = new Map(a.entries);
  for (const [key, entry] of b.entries) {
    const existing = entries.get(key);
    if (isTable(entry.value) && existing && isTable(existing.value)) {
      entries.set(key, { ...entry, value: mergeMaps(existing.value, entry.value) });
      continue;
    }
    entries.set(key, entry);
  }
  return { ...a, entries, ...(b.open || a.open ? { open: [...(a.open ?? []), ...(b.open ?? [])] } : {}) };
}

/** One chart in the tree being rendered: its defaults and its subcharts, by the name Helm knows them (alias). */
export interface ValuesChart {
  readonly name: string;
  readonly defaults: MapValue;
  readonly subcharts: readonly ValuesChart[];
}

/**
 * chartutil.CoalesceValues: the user's values over the chart's defaults, each subchart's section coalesced with its
 * own defaults, `global` passed down. A null in the user's values removes the key.
 */
export function coalesceValues(chart: ValuesChart, user: MapValue): MapValue {
  const dest = copyValues(user) as MapValue;
  return coalesce(chart, dest, false);
}

function coalesce(chart: ValuesChart, dest: MapValue, merge: boolean): MapValue {
  coalesceChartValues(chart, dest, merge);
  for (const sub of chart.subcharts) {
    const existing = dest.entries.get(sub.name);
    if (!existing) dest.entries.set(sub.name, { value: emptyMap() });
    else if (!isTable(existing.value)) continue; // Helm: "type mismatch": the subchart gets nothing from here.
    const section = dest.entries.get(sub.name);
    if (!section || !isTable(section.value)) continue;
    coalesceGlobals(section.value, dest);
    dest.entries.set(sub.name, { ...section, value: coalesce(sub, section.value, merge) });
  }
  return dest;
}

function coalesceChartValues(chart: ValuesChart, dest: MapValue, merge: boolean): void {
  const defaults = copyValues(chart.defaults) as MapValue;
  for (const [key, entry] of defaults.entries) {
    const current = dest.entries.get(key);
    if (!current) {
      dest.entries.set(key, entry);
      continue;
    }
    if (isNil(current.value) && !merge) {
      dest.entries.delete(key);
      continue;
    }
    if (isTable(current.value) && isTable(entry.value)) {
      const childMerge = chart.subcharts.some((sub) => sub.name === key) || merge;
      coalesceTables(current.value, entry.value, childMerge, 0);
    }
  }
}

function coalesceTables(dst: MapValue, src: MapValue, merge: boolean, depth: number): void {
  if (depth > 300) return;
  for (const [key, entry] of dst.entries) if (isNil(entry.value) && !src.entries.has(key)) src.entries.set(key, { value: { k: 'nil' } });
  for (const [key, entry] of src.entries) {
    const current = dst.entries.get(key);
    if (current && !merge && isNil(current.value)) dst.entries.delete(key);
    else if (!current) dst.entries.set(key, entry);
    else if (isTable(entry.value) && isTable(current.value)) coalesceTables(current.value, entry.value, merge, depth + 1);
  }
}

/** chartutil.coalesceGlobals: the parent's `global` over the subchart's. */
function coalesceGlobals(dest: MapValue, src: MapValue): void {
  const destGlobal = dest.entries.get('global');
  const srcGlobal = src.entries.get('global');
  if (destGlobal && !isTable(destGlobal.value)) return;
  if (srcGlobal && !isTable(srcGlobal.value)) return;
  const dg: MapValue = destGlobal && isTable(destGlobal.value) ? destGlobal.value : emptyMap();
  const sg: MapValue = srcGlobal && isTable(srcGlobal.value) ? srcGlobal.value : emptyMap();
  for (const [key, entry] of sg.entries) {
    if (isTable(entry.value)) {
      const copy = copyValues(entry.value) as MapValue;
      const existing = dg.entries.get(key);
      if (!existing) dg.entries.set(key, { ...entry, value: copy });
      else if (isTable(existing.value)) {
        coalesceTables(copy, existing.value, true, 0);
        dg.entries.set(key, { ...entry, value: copy });
      }
    } else if (!(dg.entries.get(key) && isTable(dg.entries.get(key)?.value))) dg.entries.set(key, entry);
  }
  dest.entries.set('global', destGlobal ? { ...destGlobal, value: dg } : { value: dg });
}

/** The value at a dotted path (`sub.enabled`), as chartutil.Values.PathValue reads it. */
export function pathValue(values: MapValue, path: string): Value | null {
  let current: Value = values;
  for (const step of path.split('.')) {
    if (!isTable(current)) return null;
    const entry: MapEntry | undefined = current.entries.get(step);
    if (!entry) return null;
    current = entry.value;
  }
  return current;
}

/** What kind of source a values layer is. */
export type ValuesSource = Extract<SourceKind, 'chart-values' | 'release-values'>;

export type { MapValue, RMap };
