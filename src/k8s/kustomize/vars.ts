import { isMap, isScalar, isSeq, type Origin, type RNode, type RScalar, type RUnknown, type ScalarPart } from '../rendered.js';
import type { Sink } from './context.js';
import { applyFieldSpec, FieldTypeError } from './field-path.js';
import type { FieldSpec } from './field-specs.js';
import type { VarEntry } from './load.js';
import { problem } from './problems.js';
import { allIds, curId, describeId, effectiveNamespace, isClusterScoped, type Res } from './resource.js';
import { AliasedWrites, computed, valueText } from './tree.js';
import { convertSliceIndex, lookup, PathError, splitDottedPath } from './yaml-path.js';

/**
 * The deprecated `vars`, resolved as kustomize resolves them after the whole build: each var names an object (matched
 * where the var is declared) and a field of it; `$(NAME)` in the fields of kustomize's varReference configuration
 * (container args, command, env values, ... and every label and annotation) is replaced by the field's value, with
 * its type when the string is only the reference. `$$` escapes a dollar. A var whose object is not in the build (where
 * kustomize stops) leaves each of its references an unknown part, never a name. `$(X)` that names no var stays as
 * written: it is Kubernetes' own dependent-variable syntax.
 */

/** A var of the build and the kustomization that declared it. */
export interface VarDef {
  readonly entry: VarEntry;
  readonly kustomization: string;
}

/** Declares a kustomization's vars: each object they match (unambiguously) remembers the var's name. */
export function mergeVars(resources: readonly Res[], entries: readonly VarEntry[], existing: readonly VarDef[], kustomization: string, sink: Sink): { resources: Res[]; vars: VarDef[] } {
  let out = [...resources];
  const vars = [...existing];
  for (const entry of entries) {
    const target = { group: entry.group, version: entry.version, kind: entry.kind, name: entry.objectName, namespace: entry.namespace };
    const strict = entry.namespace !== '' || isClusterScoped(target);
    const matched = out.filter((res) =>
      allIds(res).some((id) => id.name === target.name && id.kind === target.kind && id.group === target.group && id.version === target.version && (!strict || effectiveNamespace(id) === effectiveNamespace(target))),
    );
    if (matched.length > 1) sink.problems.add(problem('var-conflict', entry.at, `found ${matched.length} resId matches for var ${entry.name} (unable to disambiguate)`));
    else if (matched.length === 1) out = out.map((res) => (res === matched[0] ? { ...res, refVarNames: [...res.refVarNames, entry.name] } : res));
    if (vars.some((v) => v.entry.name === entry.name)) {
      sink.problems.add(problem('var-conflict', entry.at, `var '${entry.name}' already encountered`));
      continue;
    }
    vars.push({ entry, kustomization });
  }
  return { resources: out, vars };
}

/** Joins two var sets (a base into an overlay); a name met twice is kustomize's "already encountered" error. */
export function joinVars(into: readonly VarDef[], incoming: readonly VarDef[], sink: Sink): VarDef[] {
  const out = [...into];
  for (const v of incoming) {
    if (out.some((x) => x.entry.name === v.entry.name)) {
      if (!out.some((x) => x === v)) sink.problems.add(problem('var-conflict', v.entry.at, `var '${v.entry.name}' already encountered`));
      continue;
    }
    out.push(v);
  }
  return out;
}

type VarValue = { readonly node: RScalar | RUnknown } | { readonly unresolved: string };

function readVar(resources: readonly Res[], def: VarDef): VarValue {
  const holder = resources.find((res) => res.refVarNames.includes(def.entry.name));
  const describe = `${def.entry.kind} ${def.entry.namespace ? `${def.entry.namespace}/` : ''}${def.entry.objectName}`;
  if (!holder) return { unresolved: `the var's object ${describe} is not in the build` };
  let node: RNode | null;
  try {
    node = lookup(holder.root, convertSliceIndex(splitDottedPath(def.entry.fieldPath)));
  } catch (error) {
    if (!(error instanceof PathError)) throw error;
    node = null;
  }
  if (!node) return { unresolved: `field ${def.entry.fieldPath} of ${describeId(curId(holder.root))} is missing` };
  if (node.kind === 'scalar' || node.kind === 'unknown') return { node };
  return { unresolved: `field ${def.entry.fieldPath} of ${describeId(curId(holder.root))} is not a scalar` };
}

/** Replaces the var references in one string, as kustomize's DoReplacements does. */
function expand(node: RScalar, values: ReadonlyMap<string, VarValue>, defs: ReadonlyMap<string, VarDef>): RNode {
  const input = typeof node.value === 'string' ? node.value : null;
  if (input === null) return node;
  const parts: ScalarPart[] = [];
  let literal = '';
  let changed = false;
  const literalOrigin = computed(node.origin, 'text around a var reference');
  const flush = () => {
    if (literal !== '') parts.push({ text: literal, origin: literalOrigin });
    literal = '';
  };
  for (let cursor = 0; cursor < input.length; cursor++) {
    const ch = input[cursor];
    if (ch !== '$' || cursor + 1 >= input.length) {
      literal += ch;
      continue;
    }
    const next = input[cursor + 1];
    if (next === '$') {
      literal += '$';
      changed = true;
      cursor += 1;
      continue;
    }
    if (next !== '(') {
      literal += `$${next}`;
      cursor += 1;
      continue;
    }
    const close = input.indexOf(')', cursor + 2);
    if (close < 0) {
      literal += '$(';
      cursor += 1;
      continue;
    }
    const name = input.slice(cursor + 2, close);
    const value = values.get(name);
    cursor = close;
    if (!value) {
      literal += `$(${name})`;
      continue;
    }
    changed = true;
    const def = defs.get(name);
    if ('unresolved' in value) {
      flush();
      parts.push({ unknown: { expression: `$(${name})`, reason: `var ${name}: ${value.unresolved}`, origin: def ? { ...def.entry.at, source: 'kustomize-replacement' } : node.origin } });
      continue;
    }
    if (input === `$(${name})` && value.node.kind === 'scalar') {
      return { kind: 'scalar', value: value.node.value, origin: computed({ ...node.origin, source: 'kustomize-replacement' }, `var ${name}`), parts: [{ text: valueText(value.node) ?? '', origin: value.node.origin }] };
    }
    flush();
    if (value.node.kind === 'unknown') parts.push(...value.node.parts);
    else parts.push({ text: valueText(value.node) ?? '', origin: value.node.origin });
  }
  if (!changed) return node;
  flush();
  const origin: Origin = computed({ ...node.origin, source: 'kustomize-replacement' }, 'vars');
  if (parts.some((part) => 'unknown' in part)) return { kind: 'unknown', parts, origin };
  return { kind: 'scalar', value: parts.map((part) => ('text' in part ? part.text : '')).join(''), origin, parts };
}

function isString(node: RNode): node is RScalar {
  return isScalar(node) && typeof node.value === 'string';
}

/** Resolves every var of the build in the varReference fields; reports vars that cannot be resolved. */
export function resolveVars(resources: readonly Res[], vars: readonly VarDef[], specs: readonly FieldSpec[], sink: Sink): Res[] {
  if (vars.length === 0) return [...resources];
  const values = new Map<string, VarValue>();
  const defs = new Map<string, VarDef>();
  for (const def of [...vars].sort((a, b) => (a.entry.name < b.entry.name ? -1 : a.entry.name > b.entry.name ? 1 : 0))) {
    const value = readVar(resources, def);
    if ('unresolved' in value) sink.problems.add(problem('var-unresolved', def.entry.at, `var '${def.entry.name}' cannot be mapped to a field in the set of known resources: ${value.unresolved}; its references stay unknown`));
    values.set(def.entry.name, value);
    defs.set(def.entry.name, def);
  }
  const set = (node: RNode): RNode => {
    if (isString(node)) return expand(node, values, defs);
    if (isMap(node)) {
      let changed = false;
      const pairs = node.pairs.map((pair) => {
        if (!isString(pair.value)) return pair;
        const value = expand(pair.value, values, defs);
        if (value === pair.value) return pair;
        changed = true;
        return { ...pair, value };
      });
      return changed ? { ...node, pairs } : node;
    }
    if (isSeq(node)) {
      let changed = false;
      const items = node.items.map((item) => {
        if (!isString(item)) {
          if (item.kind === 'unknown') return item;
          throw new FieldTypeError('invalid value type expect a string');
        }
        const value = expand(item, values, defs);
        if (value !== item) changed = true;
        return value;
      });
      return changed ? { ...node, items } : node;
    }
    return node;
  };
  return resources.map((res) => {
    let current = res;
    for (const spec of specs) {
      try {
        const writes = new AliasedWrites(sink.aliased);
        const root = writes.apply(applyFieldSpec(current.root, spec, writes.wrap(set), { createKind: null, created: current.at }));
        if (root !== current.root) current = { ...current, root };
      } catch (error) {
        if (!(error instanceof FieldTypeError)) throw error;
        sink.problems.add(problem('field-type', current.at, `${describeId(curId(current.root))}: ${error.message}`));
      }
    }
    return current;
  });
}
