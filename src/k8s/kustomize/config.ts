import { isMap, type Origin } from '../rendered.js';
import { readTree } from '../yaml-tree.js';
import type { Sink } from './context.js';
import { defaultTransformerConfig, type FieldSpec, type NameBackReference, type TransformerConfig } from './field-specs.js';
import { KustomizationReader } from './load.js';
import { problem } from './problems.js';
import { gvkSelected } from './resource.js';

/**
 * Transformer configurations (`configurations:` files) merged into the default one, as kustomize's TransformerConfig
 * Merge does: a field spec already present for the same path and kinds is kept once; name references of one kind
 * join their referrers.
 */

function sameSpec(a: FieldSpec, b: FieldSpec): boolean {
  return a.path === b.path && gvkSelected({ group: a.group ?? '', version: a.version ?? '', kind: a.kind ?? '' }, b);
}

function mergeSpecs(into: readonly FieldSpec[], incoming: readonly FieldSpec[], conflicts: string[]): readonly FieldSpec[] {
  if (into === incoming || incoming.length === 0) return into;
  const out = [...into];
  for (const spec of incoming) {
    const existing = out.find((x) => sameSpec(x, spec));
    if (existing) {
      if (existing.create !== spec.create) conflicts.push(spec.path);
      continue;
    }
    out.push(spec);
  }
  return out;
}

function mergeBackRefs(into: readonly NameBackReference[], incoming: readonly NameBackReference[], conflicts: string[]): readonly NameBackReference[] {
  if (into === incoming || incoming.length === 0) return into;
  const out = [...into];
  for (const ref of incoming) {
    const index = out.findIndex((x) => (x.gvk.group ?? '') === (ref.gvk.group ?? '') && (x.gvk.version ?? '') === (ref.gvk.version ?? '') && x.gvk.kind === ref.gvk.kind);
    if (index < 0) out.push(ref);
    else {
      const existing = out[index];
      if (existing) out[index] = { ...existing, referrers: mergeSpecs(existing.referrers, ref.referrers, conflicts) };
    }
  }
  return out;
}

export function mergeConfig(a: TransformerConfig, b: TransformerConfig, sink: Sink, at: Origin): TransformerConfig {
  if (a === b) return a;
  const conflicts: string[] = [];
  const merged: TransformerConfig = {
    namePrefix: mergeSpecs(a.namePrefix, b.namePrefix, conflicts),
    nameSuffix: mergeSpecs(a.nameSuffix, b.nameSuffix, conflicts),
    namespace: mergeSpecs(a.namespace, b.namespace, conflicts),
    commonLabels: mergeSpecs(a.commonLabels, b.commonLabels, conflicts),
    labels: mergeSpecs(a.labels, b.labels, conflicts),
    templateLabels: mergeSpecs(a.templateLabels, b.templateLabels, conflicts),
    commonAnnotations: mergeSpecs(a.commonAnnotations, b.commonAnnotations, conflicts),
    nameReference: mergeBackRefs(a.nameReference, b.nameReference, conflicts),
    varReference: mergeSpecs(a.varReference, b.varReference, conflicts),
    images: mergeSpecs(a.images, b.images, conflicts),
    replicas: mergeSpecs(a.replicas, b.replicas, conflicts),
  };
  for (const path of conflicts) sink.problems.add(problem('invalid-kustomization', at, `conflicting fieldspecs for ${path}`));
  const same = (Object.keys(merged) as (keyof TransformerConfig)[]).every((key) => merged[key] === a[key]);
  return same ? a : merged;
}

const configKeys = ['namePrefix', 'nameSuffix', 'namespace', 'commonLabels', 'labels', 'templateLabels', 'commonAnnotations', 'nameReference', 'varReference', 'images', 'replicas'] as const;

/** Reads a `configurations:` file into a configuration merged onto the default. */
export function readConfiguration(path: string, text: string, sink: Sink): TransformerConfig {
  const tree = readTree(path, text, { source: 'manifest' });
  const at: Origin = { source: 'manifest', file: path, line: 1, column: 1, span: null };
  if (tree.problems.length > 0) {
    sink.problems.add(problem('invalid-kustomization', tree.problems[0]?.at ?? at, `${path} does not parse: ${tree.problems[0]?.message ?? ''}`));
    return defaultTransformerConfig;
  }
  const reader = new KustomizationReader(path, text);
  const root = tree.documents[0]?.node;
  const map = reader.map(root, 'a transformer configuration');
  if (!map) return defaultTransformerConfig;
  const fields = reader.fields(map, configKeys, 'a transformer configuration');
  const specs = (key: Exclude<(typeof configKeys)[number], 'nameReference'>) => reader.fieldSpecs(fields.get(key), key);
  const nameReference = reader.list(fields.get('nameReference'), 'nameReference').flatMap((item): NameBackReference[] => {
    if (!isMap(item)) return [];
    const f = reader.fields(item, ['group', 'version', 'kind', 'fieldSpecs'], 'nameReference');
    const group = reader.string(f.get('group'), 'nameReference.group');
    const version = reader.string(f.get('version'), 'nameReference.version');
    return [{ gvk: { ...(group ? { group } : {}), ...(version ? { version } : {}), kind: reader.string(f.get('kind'), 'nameReference.kind') }, referrers: reader.fieldSpecs(f.get('fieldSpecs'), 'nameReference.fieldSpecs') }];
  });
  for (const item of reader.problems) sink.problems.add(item);
  const own: TransformerConfig = {
    namePrefix: specs('namePrefix'),
    nameSuffix: specs('nameSuffix'),
    namespace: specs('namespace'),
    commonLabels: specs('commonLabels'),
    labels: specs('labels'),
    templateLabels: specs('templateLabels'),
    commonAnnotations: specs('commonAnnotations'),
    nameReference,
    varReference: specs('varReference'),
    images: specs('images'),
    replicas: specs('replicas'),
  };
  return mergeConfig(defaultTransformerConfig, own, sink, at);
}
