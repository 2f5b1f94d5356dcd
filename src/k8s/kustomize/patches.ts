import { get, isMap, isScalar, isSeq, type Origin, type RMap, type RNode, type TrailPatch } from '../rendered.js';
import type { PatchRecord, Sink } from './context.js';
import { applyJsonPatch, JsonPatchError, readOperations, type JsonPatchOperation } from './json-patch.js';
import type { Kustomization, PatchEntry } from './load.js';
import { isWithin, joinPath } from './paths.js';
import { readPatchTree } from './patch-text.js';
import { problem, type KustomizeProblem } from './problems.js';
import { apiVersionOf, curId, describeId, idEquals, metadataOf, splitApiVersion, storePreviousId, type Res, type ResId } from './resource.js';
import { compileSelector, describeSelector } from './selectors.js';
import { MergeError, strategicMerge } from './smp.js';
import { findPair, removePair, setPair, valueText } from './tree.js';

/**
 * The patch transformers, in kustomize's terms: patchesStrategicMerge (PatchStrategicMergeTransformer), each `patches`
 * entry (PatchTransformer: strategic merge or JSON 6902, with or without `target`) and each patchesJson6902 entry
 * (PatchJson6902Transformer). Failures kustomize stops on become problems and leave the object as it was.
 */

type LoadedPatch =
  | { readonly kind: 'strategic-merge'; readonly docs: readonly { readonly root: RMap; readonly at: Origin }[] }
  | { readonly kind: 'json6902'; readonly ops: readonly JsonPatchOperation[]; readonly at: Origin };

interface PatchSource {
  readonly patch: LoadedPatch;
  readonly file: string | null;
  readonly at: Origin;
}

const yaml11True = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON']);
const yaml11False = new Set(['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);

/**
 * Kustomize reads JSON 6902 patches written in YAML with YAML 1.1 (sigs.k8s.io/yaml), where an unquoted `yes`, `on`,
 * `y` is true and `no`, `off`, `n` false: values are converted the same way (only where the text shows the scalar is
 * unquoted).
 */
function yaml11Values(node: RNode, textOf: (origin: Origin) => string | null): RNode {
  if (isScalar(node)) {
    if (typeof node.value !== 'string') return node;
    const written = textOf(node.origin);
    if (written === null || written.startsWith('"') || written.startsWith("'")) return node;
    if (yaml11True.has(node.value)) return { ...node, value: true };
    if (yaml11False.has(node.value)) return { ...node, value: false };
    return node;
  }
  if (isMap(node)) return { ...node, pairs: node.pairs.map((pair) => ({ ...pair, value: yaml11Values(pair.value, textOf) })) };
  if (isSeq(node)) return { ...node, items: node.items.map((item) => yaml11Values(item, textOf)) };
  return node;
}

function loadPatch(entry: PatchEntry, kustomization: Kustomization, sink: Sink, want: 'any' | 'json6902'): PatchSource | null {
  let file: string | null = null;
  let at = entry.at;
  let tree;
  const sourceKind = want === 'json6902' ? 'kustomize-json6902' : 'kustomize-patch';
  if (entry.path) {
    const path = joinPath(kustomization.dir, entry.path.value);
    if (path === null) {
      sink.problems.add(problem('outside-repository', entry.path.node.origin, `patch ${entry.path.value} is outside the repository`));
      return null;
    }
    if (!sink.unrestricted && !isWithin(path, kustomization.dir)) {
      sink.problems.add(problem('outside-root', entry.path.node.origin, `security; file '${entry.path.value}' is not in or below '${kustomization.dir || '.'}' (kustomize refuses it)`));
      return null;
    }
    const text = sink.readFile(path);
    if (text === null) {
      sink.problems.add(problem('patch-parse', entry.path.node.origin, `${kustomization.path}: failed to get the patch file from path(${entry.path.value})`));
      return null;
    }
    if (text.trim() === '') {
      sink.problems.add(problem('patch-parse', entry.path.node.origin, `patch file '${entry.path.value}' is empty`));
      return null;
    }
    file = path;
    at = { source: sourceKind, file: path, line: 1, column: 1, span: null };
    tree = readPatchTree({ source: sourceKind, file: path, text });
  } else if (entry.patch) {
    tree = readPatchTree({ source: sourceKind, file: kustomization.path, text: entry.patch.value, inline: { fileText: sink.readFile(kustomization.path), node: entry.patch.node, value: entry.patch.value } });
    at = { ...entry.patch.node.origin, source: sourceKind };
  } else return null;
  const where = file ?? `the inline patch of ${kustomization.path}`;
  if (tree.problems.length > 0) {
    sink.problems.add(problem('patch-parse', tree.problems[0]?.at ?? at, `${where} does not parse: ${tree.problems[0]?.message ?? ''}`));
    return null;
  }
  const docs = tree.documents.flatMap((doc) => (doc.node ? [{ node: doc.node, at: doc.at }] : []));
  if (docs.length === 0) {
    sink.problems.add(problem('patch-parse', at, `${where} is empty`));
    return null;
  }
  const textOf = (origin: Origin): string | null => {
    if (!origin.span) return null;
    const text = sink.readFile(origin.file);
    return text === null ? null : text.slice(origin.span[0], origin.span[1]);
  };
  const first = docs[0];
  if (docs.length === 1 && first && isSeq(first.node)) {
    const ops = readOperations(first.node.kind === 'seq' ? { ...first.node, items: first.node.items.map((item) => relabel(item, 'kustomize-json6902')) } : first.node);
    if (!ops) {
      sink.problems.add(problem('patch-parse', at, `unable to parse SM or JSON patch from ${where}`));
      return null;
    }
    const jsonAt = { ...at, source: 'kustomize-json6902' as const };
    return { patch: { kind: 'json6902', ops: ops.map((op) => (op.value ? { ...op, value: yaml11Values(op.value, textOf) } : op)), at: jsonAt }, file, at: jsonAt };
  }
  if (want === 'json6902') {
    sink.problems.add(problem('patch-parse', at, `${where} is not a JSON 6902 patch (a list of operations)`));
    return null;
  }
  const smp: { root: RMap; at: Origin }[] = [];
  for (const doc of docs) {
    const kind = isMap(doc.node) ? valueText(get(doc.node, 'kind')) : null;
    const name = isMap(doc.node) ? valueText(get(metadataOf(doc.node), 'name')) : null;
    if (!isMap(doc.node) || !kind || (!name && !kind.endsWith('List'))) {
      sink.problems.add(problem('patch-parse', doc.at, `unable to parse SM or JSON patch from ${where}: ${!kind ? 'missing kind' : 'missing metadata.name'}`));
      return null;
    }
    smp.push({ root: doc.node, at: doc.at });
  }
  return { patch: { kind: 'strategic-merge', docs: smp }, file, at };
}

/** The same tree under another source kind (a JSON 6902 patch parsed before its kind was known). */
function relabel(node: RNode, source: Origin['source']): RNode {
  const origin = { ...node.origin, source };
  if (isMap(node)) return { ...node, origin, pairs: node.pairs.map((pair) => ({ ...pair, keyOrigin: { ...pair.keyOrigin, source }, value: relabel(pair.value, source) })) };
  if (isSeq(node)) return { ...node, origin, items: node.items.map((item) => relabel(item, source)) };
  return { ...node, origin };
}

function trailPatch(kind: TrailPatch['kind'], kustomization: Kustomization, source: PatchSource, at: Origin): TrailPatch {
  return { kind, kustomization: kustomization.path, file: source.file, at };
}

function record(sink: Sink, kind: PatchRecord['kind'], entry: PatchEntry, kustomization: Kustomization, source: PatchSource | null, at: Origin, matched: readonly { res: Res; id: ResId }[]): void {
  sink.patches.push({
    kind,
    field: entry.field,
    kustomization: kustomization.path,
    file: source?.file ?? null,
    at,
    target: entry.target ? describeSelector(entry.target) : null,
    matched: matched.map(({ res, id }) => ({ kind: id.kind, name: id.name, namespace: id.namespace, key: res.key })),
  });
}

/** kustomize's Resource.ApplySmPatch: merge, then restore kind, name (unless allowed to change) and namespace. */
function applySmp(res: Res, patch: RMap, options: { allowNameChange: boolean; allowKindChange: boolean }, sink: Sink, at: Origin, trail: TrailPatch): Res | null {
  const before = res.root;
  const kindPair = findPair(before, 'kind');
  const metadata = metadataOf(before);
  const namePair = metadata ? findPair(metadata, 'name') : null;
  const namespacePair = metadata ? findPair(metadata, 'namespace') : null;
  let current = options.allowNameChange || options.allowKindChange ? storePreviousId(res) : res;
  let result;
  try {
    result = strategicMerge(before, patch, sink.aliased);
  } catch (error) {
    if (!(error instanceof MergeError)) throw error;
    sink.problems.add(problem('patch-failed', at, `${describeId(curId(before))}: ${error.message}`));
    return res;
  }
  for (const directive of result.directives) {
    sink.problems.add(problem('smp-directive-kept', at, `${directive} is not applied by kustomize: it stays in the output of ${describeId(curId(before))} as a field`));
  }
  if (result.root === null) return null;
  let root = result.root;
  if (!options.allowKindChange && kindPair) root = setPair(root, 'kind', kindPair.pair.value, kindPair.pair.keyOrigin);
  let meta = metadataOf(root) ?? { kind: 'map' as const, pairs: [], origin: before.origin };
  if (!options.allowNameChange && namePair) meta = setPair(meta, 'name', namePair.pair.value, namePair.pair.keyOrigin);
  meta = namespacePair ? setPair(meta, 'namespace', namespacePair.pair.value, namespacePair.pair.keyOrigin) : removePair(meta, 'namespace');
  root = setPair(root, 'metadata', meta, findPair(root, 'metadata')?.pair.keyOrigin ?? before.origin);
  current = { ...current, root, patches: [...current.patches, trail] };
  return current;
}

/** The patch as kustomize's resmap.ApplySmPatch sends it to a selected object: the target's apiVersion, its own kind. */
function forTarget(patch: RMap, target: Res): RMap {
  const id = curId(target.root);
  const apiVersion = apiVersionOf(id.group, id.version);
  const existing = findPair(patch, 'apiVersion');
  return setPair(patch, 'apiVersion', existing && valueText(existing.pair.value) === apiVersion ? existing.pair.value : { kind: 'scalar', value: apiVersion, origin: patch.origin }, existing?.pair.keyOrigin ?? patch.origin);
}

function patchId(root: RMap): ResId {
  return curId(root);
}

/** Resources whose current or previous id equals `id` (kustomize's GetById). */
function byId(resources: readonly Res[], id: ResId): Res[] {
  return resources.filter((res) => {
    if (idEquals(curId(res.root), id)) return true;
    const { group, version } = splitApiVersion(valueText(get(res.root, 'apiVersion')) ?? '');
    return res.prevIds.some((prev) => idEquals({ group, version, kind: prev.kind, name: prev.name, namespace: prev.namespace }, id));
  });
}

function replaceAt(resources: readonly Res[], index: number, next: Res | null): Res[] {
  const out = [...resources];
  if (next === null) out.splice(index, 1);
  else out[index] = next;
  return out;
}

/** patchesStrategicMerge: every patch document, in order, applied to the one object with its id. */
export function applyPatchesStrategicMerge(resourcesIn: readonly Res[], kustomization: Kustomization, sink: Sink): Res[] {
  let resources = [...resourcesIn];
  const loaded = kustomization.patchesStrategicMerge.flatMap((entry) => {
    const source = loadPatch(entry, kustomization, sink, 'any');
    if (source && source.patch.kind !== 'strategic-merge') {
      sink.problems.add(problem('patch-parse', entry.at, `${source.file ?? 'the inline patch'} in patchesStrategicMerge is not a strategic-merge patch`));
      return [];
    }
    return source && source.patch.kind === 'strategic-merge' ? source.patch.docs.map((doc) => ({ entry, source, doc })) : [];
  });
  for (const { entry, source, doc } of loaded) {
    const id = patchId(doc.root);
    const matches = byId(resources, id);
    if (matches.length !== 1) {
      sink.problems.add(problem('patch-no-match', doc.at, `${matches.length === 0 ? 'no matches' : 'multiple matches'} for Id ${describeId(id)}; failed to find unique target for patch ${describeId(id)}`));
      record(sink, 'strategic-merge', entry, kustomization, source, doc.at, []);
      continue;
    }
    const target = matches[0] as Res;
    const index = resources.indexOf(target);
    const next = applySmp(target, forTarget(doc.root, target), { allowNameChange: false, allowKindChange: false }, sink, doc.at, trailPatch('strategic-merge', kustomization, source, doc.at));
    record(sink, 'strategic-merge', entry, kustomization, source, doc.at, [{ res: target, id: curId(target.root) }]);
    resources = replaceAt(resources, index, next);
  }
  return resources;
}

/** One `patches` entry. */
export function applyPatchEntry(resourcesIn: readonly Res[], entry: PatchEntry, kustomization: Kustomization, sink: Sink): Res[] {
  let resources = [...resourcesIn];
  const source = loadPatch(entry, kustomization, sink, 'any');
  if (!source) {
    record(sink, 'strategic-merge', entry, kustomization, null, entry.at, []);
    return resources;
  }
  const options = { allowNameChange: entry.allowNameChange, allowKindChange: entry.allowKindChange };
  if (source.patch.kind === 'json6902') {
    if (!entry.target) {
      sink.problems.add(problem('invalid-kustomization', entry.at, `${kustomization.path}: must specify a target for JSON patch`));
      record(sink, 'json6902', entry, kustomization, source, source.at, []);
      return resources;
    }
    return applyJson(resources, source, entry, kustomization, sink, true);
  }
  if (entry.target) {
    if (source.patch.docs.length > 1) {
      sink.problems.add(problem('invalid-kustomization', entry.at, `${kustomization.path}: Multiple Strategic-Merge Patches in one \`patches\` entry is not allowed to set \`patches.target\` field`));
      record(sink, 'strategic-merge', entry, kustomization, source, source.at, []);
      return resources;
    }
    const doc = source.patch.docs[0];
    const selectorProblems: KustomizeProblem[] = [];
    const compiled = compileSelector(entry.target, selectorProblems);
    for (const item of selectorProblems) sink.problems.add(item);
    if (!doc || !compiled) return resources;
    const matched: { res: Res; id: ResId }[] = [];
    resources = resources.flatMap((res) => {
      if (!compiled.select(res)) return [res];
      matched.push({ res, id: curId(res.root) });
      const next = applySmp(res, forTarget(doc.root, res), options, sink, source.at, trailPatch('strategic-merge', kustomization, source, source.at));
      return next ? [next] : [];
    });
    if (matched.length === 0) sink.problems.add(problem('patch-target-unmatched', entry.target.at, `the patch target (${describeSelector(entry.target)}) selects nothing in ${kustomization.path}`));
    record(sink, 'strategic-merge', entry, kustomization, source, source.at, matched);
    return resources;
  }
  for (const doc of source.patch.docs) {
    const id = patchId(doc.root);
    const matches = byId(resources, id);
    if (matches.length !== 1) {
      sink.problems.add(problem('patch-no-match', doc.at, `no resource matches strategic merge patch ${describeId(id)}${matches.length > 1 ? ' uniquely' : ''}`));
      record(sink, 'strategic-merge', entry, kustomization, source, doc.at, []);
      continue;
    }
    const target = matches[0] as Res;
    const index = resources.indexOf(target);
    const next = applySmp(target, doc.root, options, sink, doc.at, trailPatch('strategic-merge', kustomization, source, doc.at));
    record(sink, 'strategic-merge', entry, kustomization, source, doc.at, [{ res: target, id: curId(target.root) }]);
    resources = replaceAt(resources, index, next);
  }
  return resources;
}

/**
 * After a JSON patch kustomize re-reads the object from JSON: a key written with no value is an explicit null, and no
 * node is shared between two places any more.
 */
function explicitNulls(node: RNode, aliased: WeakSet<object>): RNode {
  if (isScalar(node)) {
    if (node.value === null && (node.origin.span === null ? node.origin.via === undefined : node.origin.span[0] === node.origin.span[1])) return { ...node, origin: { ...node.origin, span: null, via: 'null' } };
    return aliased.has(node) ? { ...node } : node;
  }
  if (isMap(node)) {
    let changed = false;
    const pairs = node.pairs.map((pair) => {
      const value = explicitNulls(pair.value, aliased);
      if (value !== pair.value) changed = true;
      return value === pair.value ? pair : { ...pair, value };
    });
    return changed ? { ...node, pairs } : node;
  }
  if (isSeq(node)) {
    let changed = false;
    const items = node.items.map((item) => {
      const value = explicitNulls(item, aliased);
      if (value !== item) changed = true;
      return value;
    });
    return changed ? { ...node, items } : node;
  }
  return node;
}

function applyJson(resourcesIn: readonly Res[], source: PatchSource, entry: PatchEntry, kustomization: Kustomization, sink: Sink, storeId: boolean): Res[] {
  if (source.patch.kind !== 'json6902' || !entry.target) return [...resourcesIn];
  const ops = source.patch.ops;
  const selectorProblems: KustomizeProblem[] = [];
  const compiled = compileSelector(entry.target, selectorProblems);
  for (const item of selectorProblems) sink.problems.add(item);
  if (!compiled) return [...resourcesIn];
  const matched: { res: Res; id: ResId }[] = [];
  const trail = trailPatch('json6902', kustomization, source, source.at);
  const out = resourcesIn.map((res) => {
    if (!compiled.select(res)) return res;
    matched.push({ res, id: curId(res.root) });
    const current = storeId ? storePreviousId(res) : res;
    try {
      const root = applyJsonPatch(current.root, ops);
      return { ...current, root: explicitNulls(root, sink.aliased) as RMap, patches: [...current.patches, trail] };
    } catch (error) {
      if (!(error instanceof JsonPatchError)) throw error;
      sink.problems.add(problem('patch-failed', source.at, `${describeId(curId(res.root))}: error in ${error.message}`));
      return res;
    }
  });
  if (matched.length === 0) sink.problems.add(problem('patch-target-unmatched', entry.target.at, `the patch target (${describeSelector(entry.target)}) selects nothing in ${kustomization.path}`));
  record(sink, 'json6902', entry, kustomization, source, source.at, matched);
  return out;
}

/** One patchesJson6902 entry. */
export function applyPatchJson6902Entry(resources: readonly Res[], entry: PatchEntry, kustomization: Kustomization, sink: Sink): Res[] {
  if (!entry.target || entry.target.name === '') {
    sink.problems.add(problem('invalid-kustomization', entry.at, `${kustomization.path}: must specify the target name of a patchesJson6902 entry`));
    return [...resources];
  }
  const source = loadPatch(entry, kustomization, sink, 'json6902');
  if (!source) return [...resources];
  return applyJson(resources, source, entry, kustomization, sink, false);
}

