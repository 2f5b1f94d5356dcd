import { get, isMap, isSeq, type Origin, type RMap, type RNode, type RScalar, type RUnknown, type ScalarPart } from '../rendered.js';
import type { Sink } from './context.js';
import { applyFieldSpec, FieldTypeError } from './field-path.js';
import type { FieldSpec, TransformerConfig } from './field-specs.js';
import type { ImageEntry, KPair, Kustomization, LabelEntry } from './load.js';
import { problem } from './problems.js';
import { compileRegex } from './regex.js';
import { allIds, apiVersionOf, curId, describeId, effectiveNamespace, gvkSelected, isClusterScoped, orgId, storePreviousId, type Res } from './resource.js';
import { AliasedWrites, asSource, computed, findPair, setPair, valueText } from './tree.js';

/**
 * The field transformers of one kustomization, in kustomize's order and with its field specs: namespace, namePrefix,
 * nameSuffix, labels / commonLabels, commonAnnotations, replicas, images. Each value they write carries the origin of
 * the kustomization entry that wrote it.
 */

/** Applies a field spec to a resource, turning kustomize's failures into problems (the resource stays as it was). */
export function applySpec(res: Res, spec: FieldSpec, set: (node: RNode) => RNode, createKind: 'map' | 'scalar' | null, created: Origin, sink: Sink, at: Origin): Res {
  try {
    const writes = new AliasedWrites(sink.aliased);
    const root = writes.apply(applyFieldSpec(res.root, spec, writes.wrap(set), { createKind, created }));
    return root === res.root ? res : { ...res, root };
  } catch (error) {
    if (!(error instanceof FieldTypeError)) throw error;
    sink.problems.add(problem('field-type', at, `${describeId(curId(res.root))}: ${error.message}`));
    return res;
  }
}

function setScalar(value: RScalar): (node: RNode) => RNode {
  return (node) => {
    if (node.kind !== 'scalar' && node.kind !== 'unknown') throw new FieldTypeError('expected a scalar');
    return value;
  };
}

/** Merges field specs as kustomize's FsSlice.MergeAll: a spec already present (same path, selected kind) is kept. */
function mergeSpecs(into: readonly FieldSpec[], incoming: readonly FieldSpec[], sink: Sink, at: Origin): FieldSpec[] {
  const out = [...into];
  for (const spec of incoming) {
    const existing = out.find((x) => x.path === spec.path && gvkSelected({ group: x.group ?? '', version: x.version ?? '', kind: x.kind ?? '' }, spec));
    if (existing) {
      if (existing.create !== spec.create) sink.problems.add(problem('invalid-kustomization', at, `conflicting fieldspecs for ${spec.path}`));
      continue;
    }
    out.push(spec);
  }
  return out;
}

// --- namespace ----------------------------------------------------------------------------------------------

export function applyNamespace(resources: readonly Res[], kustomization: Kustomization, config: TransformerConfig, sink: Sink): Res[] {
  const namespace = kustomization.namespace;
  if (!namespace || namespace.value === '') return [...resources];
  const origin = asSource(namespace.node.origin, 'kustomize-namespace');
  const value: RScalar = { kind: 'scalar', value: namespace.value, origin };
  const created = computed(origin, `namespace: ${namespace.value}`);
  const out = resources.map((input) => {
    let res = storePreviousId(input);
    const id = curId(res.root);
    const apiVersion = apiVersionOf(id.group, id.version);
    let specs = config.namespace.filter((spec) => spec.path !== 'metadata/namespace' && (apiVersion === 'v1' || spec.path !== 'metadata/name'));
    if (!isClusterScoped(id)) res = applySpec(res, { path: 'metadata/namespace', create: true }, setScalar(value), 'scalar', created, sink, origin);
    if (id.kind === 'RoleBinding' || id.kind === 'ClusterRoleBinding') {
      specs = specs.filter((spec) => !((spec.kind === 'RoleBinding' || spec.kind === 'ClusterRoleBinding') && spec.path === 'subjects/namespace'));
      res = { ...res, root: roleBindingSubjects(res.root, value, created) };
    }
    for (const spec of specs) res = applySpec(res, spec, setScalar(value), 'scalar', created, sink, origin);
    return res;
  });
  const seen = new Set<string>();
  for (const res of out) {
    const id = curId(res.root);
    const key = `${id.group}/${id.version}/${id.kind}/${id.name}/${effectiveNamespace(id)}`;
    if (seen.has(key)) sink.problems.add(problem('namespace-conflict', origin, `namespace transformation produces ID conflict: two resources are ${describeId(id)}`));
    seen.add(key);
  }
  return out;
}

/** Subjects named `default` of a (Cluster)RoleBinding get the namespace (kustomize's default subject mode). */
function roleBindingSubjects(root: RMap, value: RScalar, created: Origin): RMap {
  const subjects = get(root, 'subjects');
  if (!isSeq(subjects)) return root;
  let changed = false;
  const items = subjects.items.map((item) => {
    if (!isMap(item) || valueText(get(item, 'name')) !== 'default') return item;
    changed = true;
    return setPair(item, 'namespace', value, created);
  });
  if (!changed) return root;
  return setPair(root, 'subjects', { ...subjects, items }, root.pairs.find((pair) => pair.key === 'subjects')?.keyOrigin ?? created);
}

// --- namePrefix / nameSuffix -------------------------------------------------------------------------------

const nameSkips = [{ kind: 'CustomResourceDefinition' }, { group: 'apiregistration.k8s.io', kind: 'APIService' }, { kind: 'Namespace' }];

function affixed(node: RNode, affix: string, affixOrigin: Origin, position: 'prefix' | 'suffix', via: string): RNode {
  if (node.kind !== 'scalar' && node.kind !== 'unknown') throw new FieldTypeError('expected a scalar name');
  const oldParts: readonly ScalarPart[] = node.parts ?? (node.kind === 'scalar' ? [{ text: valueText(node) ?? '', origin: node.origin }] : []);
  const part: ScalarPart = { text: affix, origin: affixOrigin };
  const parts = position === 'prefix' ? [part, ...oldParts] : [...oldParts, part];
  const origin: Origin = { ...affixOrigin, span: null, via };
  if (node.kind === 'unknown') return { kind: 'unknown', parts, origin } satisfies RUnknown;
  const text = position === 'prefix' ? `${affix}${valueText(node) ?? ''}` : `${valueText(node) ?? ''}${affix}`;
  return { kind: 'scalar', value: text, origin, parts } satisfies RScalar;
}

export function applyAffix(resources: readonly Res[], kustomization: Kustomization, config: TransformerConfig, sink: Sink, position: 'prefix' | 'suffix'): Res[] {
  const entry = position === 'prefix' ? kustomization.namePrefix : kustomization.nameSuffix;
  if (!entry || entry.value === '') return [...resources];
  const affix = entry.value;
  const affixOrigin = asSource(entry.node.origin, 'kustomize-name');
  const via = `${position === 'prefix' ? 'namePrefix' : 'nameSuffix'}: ${affix}`;
  const specs = position === 'prefix' ? config.namePrefix : config.nameSuffix;
  return resources.map((input) => {
    let res = input;
    const org = orgId(res);
    if (nameSkips.some((skip) => gvkSelected(org, skip))) return res;
    for (const spec of specs) {
      if (!gvkSelected(org, spec)) continue;
      if (spec.path === 'metadata/name') {
        res = position === 'prefix' ? { ...res, prefixes: [...res.prefixes, affix] } : { ...res, suffixes: [...res.suffixes, affix] };
        res = storePreviousId(res);
      }
      res = applySpec(res, spec, (node) => affixed(node, affix, affixOrigin, position, via), 'scalar', computed(affixOrigin, via), sink, affixOrigin);
    }
    return res;
  });
}

// --- labels, annotations ----------------------------------------------------------------------------------

function applyPairs(resources: readonly Res[], pairs: readonly KPair[], specs: readonly FieldSpec[], source: 'kustomize-labels' | 'kustomize-annotations', at: Origin, sink: Sink): Res[] {
  if (pairs.length === 0) return [...resources];
  const sorted = [...pairs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const created = computed(asSource(at, source), source === 'kustomize-labels' ? 'created for labels' : 'created for commonAnnotations');
  return resources.map((input) => {
    let res = input;
    for (const pair of sorted) {
      const keyOrigin = asSource(pair.keyOrigin, source);
      // One value node per object and key, put at every field the entry creates (as kustomize shares it).
      const value: RScalar = { kind: 'scalar', value: pair.value, origin: asSource(pair.node.origin, source) };
      let inserted = 0;
      const writes = new AliasedWrites(sink.aliased);
      const set = (node: RNode): RNode => {
        if (node.kind === 'scalar' && node.value === null) return node;
        if (!isMap(node)) throw new FieldTypeError(`${pair.key}: the field is not a map`);
        const existing = findPair(node, pair.key);
        if (existing) return setPair(node, pair.key, writes.overwrite(existing.pair.value, { ...value }), existing.pair.keyOrigin);
        inserted++;
        return setPair(node, pair.key, value, keyOrigin);
      };
      for (const spec of specs) {
        try {
          const root = writes.apply(applyFieldSpec(res.root, spec, set, { createKind: 'map', created }));
          if (root !== res.root) res = { ...res, root };
        } catch (error) {
          if (!(error instanceof FieldTypeError)) throw error;
          sink.problems.add(problem('field-type', pair.node.origin, `${describeId(curId(res.root))}: ${error.message}`));
        }
      }
      if (inserted > 1) sink.aliased.add(value);
    }
    return res;
  });
}

/** `labels` entries, then `commonLabels` (one LabelTransformer each, as kustomize configures them). */
export function applyLabels(resources: readonly Res[], kustomization: Kustomization, config: TransformerConfig, sink: Sink): Res[] {
  let out = [...resources];
  for (const label of kustomization.labels) out = applyPairs(out, label.pairs, labelSpecs(label, config, sink), 'kustomize-labels', label.at, sink);
  if (kustomization.commonLabels.length > 0) {
    out = applyPairs(out, kustomization.commonLabels, config.commonLabels, 'kustomize-labels', kustomization.commonLabels[0]?.keyOrigin ?? kustomization.at, sink);
  }
  return out;
}

function labelSpecs(label: LabelEntry, config: TransformerConfig, sink: Sink): FieldSpec[] {
  let specs = mergeSpecs(label.fields, config.labels, sink, label.at);
  if (label.includeSelectors) return mergeSpecs(specs, config.commonLabels, sink, label.at);
  if (label.includeTemplates) specs = mergeSpecs(specs, config.templateLabels, sink, label.at);
  return mergeSpecs(specs, [{ path: 'metadata/labels', create: true }], sink, label.at);
}

export function applyAnnotations(resources: readonly Res[], kustomization: Kustomization, config: TransformerConfig, sink: Sink): Res[] {
  if (kustomization.commonAnnotations.length === 0) return [...resources];
  return applyPairs(resources, kustomization.commonAnnotations, config.commonAnnotations, 'kustomize-annotations', kustomization.commonAnnotations[0]?.keyOrigin ?? kustomization.at, sink);
}

// --- replicas ---------------------------------------------------------------------------------------------

export function applyReplicas(resources: readonly Res[], kustomization: Kustomization, config: TransformerConfig, sink: Sink): Res[] {
  let out = [...resources];
  for (const entry of kustomization.replicas) {
    const origin = asSource(entry.countNode.origin, 'kustomize-replicas');
    const value: RScalar = { kind: 'scalar', value: entry.count, origin };
    let found = false;
    for (const spec of config.replicas) {
      out = out.map((res) => {
        if (!allIds(res).some((id) => id.name === entry.name && gvkSelected(id, spec))) return res;
        found = true;
        return applySpec(res, spec, setScalar(value), 'scalar', computed(origin, `replicas: ${entry.name}`), sink, entry.at);
      });
    }
    if (!found) sink.problems.add(problem('patch-no-match', entry.at, `${kustomization.path}: resource with name ${entry.name} does not match a config with the kinds replicas applies to`));
  }
  return out;
}

// --- images -----------------------------------------------------------------------------------------------

/** kustomize's image.Split: name, tag, digest. */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  const slash = image.indexOf('/');
  const searchFrom = slash > 0 ? slash : 0;
  const search = image.slice(searchFrom);
  let at = search.indexOf('@');
  let colon = search.indexOf(':');
  if (colon < 0 && at < 0) return { name: image, tag: '', digest: '' };
  if (at >= 0 && (at < colon || colon < 0)) {
    at += searchFrom;
    return { name: image.slice(0, at), tag: '', digest: image.slice(at + 1) };
  }
  if (at >= 0 && colon >= 0) {
    at += searchFrom;
    colon += searchFrom;
    return { name: image.slice(0, colon), tag: image.slice(colon + 1, at), digest: image.slice(at + 1) };
  }
  colon += searchFrom;
  return { name: image.slice(0, colon), tag: image.slice(colon + 1), digest: '' };
}

function imageUpdater(entry: ImageEntry, matches: (value: string) => boolean): (node: RNode) => RNode {
  const origin = asSource(entry.at, 'kustomize-images');
  return (node) => {
    if (node.kind !== 'scalar' && node.kind !== 'unknown') throw new FieldTypeError('an image must be a scalar');
    if (node.kind === 'unknown') return node;
    const value = valueText(node) ?? '';
    if (!matches(value)) return node;
    let { name, tag, digest } = splitImage(value);
    const keep = (text: string): ScalarPart => ({ text, origin: computed(node.origin, 'part of the original image') });
    let namePart = keep(name);
    let tagPart: ScalarPart | null = null;
    let digestPart: ScalarPart | null = null;
    if (entry.newName && entry.newName.value !== '') {
      name = entry.newName.value;
      namePart = { text: name, origin: asSource(entry.newName.node.origin, 'kustomize-images') };
    }
    const newTag = entry.newTag?.value ?? '';
    const newDigest = entry.digest?.value ?? '';
    if (newTag !== '' && newDigest !== '') {
      tag = newTag;
      digest = newDigest;
    } else if (newTag !== '') {
      tag = newTag;
      digest = '';
    } else if (newDigest !== '') {
      tag = '';
      digest = newDigest;
    } else if (entry.tagSuffix && entry.tagSuffix.value !== '') {
      tag += entry.tagSuffix.value;
      digest = '';
    }
    if (tag !== '') tagPart = { text: `:${tag}`, origin: newTag !== '' && entry.newTag ? asSource(entry.newTag.node.origin, 'kustomize-images') : computed(node.origin, 'part of the original image') };
    if (digest !== '') digestPart = { text: `@${digest}`, origin: newDigest !== '' && entry.digest ? asSource(entry.digest.node.origin, 'kustomize-images') : computed(node.origin, 'part of the original image') };
    const text = `${name}${tag !== '' ? `:${tag}` : ''}${digest !== '' ? `@${digest}` : ''}`;
    if (text === value) return node;
    const parts = [namePart, ...(tagPart ? [tagPart] : []), ...(digestPart ? [digestPart] : [])];
    return { kind: 'scalar', value: text, origin: computed(origin, `images: ${entry.name?.value ?? ''}`), parts } satisfies RScalar;
  };
}

/** Every `containers` / `initContainers` list anywhere in the object (kustomize's legacy image walk). */
function legacyImages(node: RNode, update: (node: RNode) => RNode): RNode {
  if (isSeq(node)) {
    let changed = false;
    const items = node.items.map((item) => {
      const next = legacyImages(item, update);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? { ...node, items } : node;
  }
  if (!isMap(node)) return node;
  let out: RMap = node;
  for (const pair of node.pairs) {
    let value = legacyImages(pair.value, update);
    if ((pair.key === 'containers' || pair.key === 'initContainers') && isSeq(value)) {
      const items = value.items.map((item) => {
        if (!isMap(item)) return item;
        const image = get(item, 'image');
        if (!image) return item;
        const next = update(image);
        return next === image ? item : setPair(item, 'image', next, item.origin);
      });
      if (items.some((item, i) => item !== (value as { items: readonly RNode[] }).items[i])) value = { ...value, items };
    }
    if (value !== pair.value) out = setPair(out, pair.key, value, pair.keyOrigin);
  }
  return out;
}

export function applyImages(resources: readonly Res[], kustomization: Kustomization, config: TransformerConfig, sink: Sink): Res[] {
  let out = [...resources];
  for (const entry of kustomization.images) {
    const name = entry.name?.value ?? '';
    const compiled = compileRegex(`^${name}(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`);
    if ('error' in compiled) {
      sink.problems.add(problem('invalid-regex', entry.at, `image name ${compiled.error}; the image entry is not applied`));
      continue;
    }
    const update = imageUpdater(entry, (value) => compiled.regex.test(value));
    out = out.map((res) => {
      if (valueText(get(res.root, 'kind')) === 'CustomResourceDefinition') return res;
      let next = res;
      try {
        const root = legacyImages(res.root, update);
        if (root !== res.root && isMap(root)) next = { ...res, root };
      } catch (error) {
        if (!(error instanceof FieldTypeError)) throw error;
        sink.problems.add(problem('field-type', entry.at, `${describeId(curId(res.root))}: ${error.message}`));
      }
      for (const spec of config.images) next = applySpec(next, spec, update, null, computed(entry.at, 'images'), sink, entry.at);
      return next;
    });
  }
  return out;
}


