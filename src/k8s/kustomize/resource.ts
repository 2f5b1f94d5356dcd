import { get, isMap, type Condition, type Origin, type RMap, type RNode, type TrailPatch } from '../rendered.js';
import { clusterScopedKinds } from './field-specs.js';
import { valueText } from './tree.js';

/**
 * A resource during a build: its tree plus what kustomize keeps in build annotations (previous ids, prefixes and
 * suffixes, generator behaviour, hash suffix) and the provenance pod2wi reports. Immutable: each step returns a new
 * record, so a base's resources can be shared by every overlay that includes it.
 */

/** Group, version, kind, name, namespace of an object (kustomize's ResId). */
export interface ResId {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

/** A name, namespace (effective) and kind the object had before a transformer renamed it. */
export interface PrevId {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

export type Behavior = 'unspecified' | 'create' | 'merge' | 'replace';

export interface Res {
  readonly root: RMap;
  /** Where the object's own text starts. */
  readonly at: Origin;
  /** Stable identity of the source of the object (file and document, or generator entry). */
  readonly key: string;
  readonly prevIds: readonly PrevId[];
  readonly prefixes: readonly string[];
  readonly suffixes: readonly string[];
  readonly needsHash: boolean;
  readonly behavior: Behavior;
  readonly refVarNames: readonly string[];
  /** Kustomization files, outermost first, down to the one that listed the object. */
  readonly chain: readonly string[];
  readonly file: string;
  readonly patches: readonly TrailPatch[];
  readonly conditions: readonly Condition[];
}

export function newRes(root: RMap, at: Origin, key: string, file: string, chain: readonly string[], conditions: readonly Condition[] = []): Res {
  return { root, at, key, prevIds: [], prefixes: [], suffixes: [], needsHash: false, behavior: 'unspecified', refVarNames: [], chain, file, patches: [], conditions };
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const at = apiVersion.indexOf('/');
  return at < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, at), version: apiVersion.slice(at + 1) };
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function metadataOf(root: RMap): RMap | null {
  const metadata = get(root, 'metadata');
  return isMap(metadata) ? metadata : null;
}

export function curId(root: RMap): ResId {
  const { group, version } = splitApiVersion(valueText(get(root, 'apiVersion')) ?? '');
  const metadata = metadataOf(root);
  return {
    group,
    version,
    kind: valueText(get(root, 'kind')) ?? '',
    name: valueText(get(metadata, 'name')) ?? '',
    namespace: valueText(get(metadata, 'namespace')) ?? '',
  };
}

export function isClusterScoped(id: { group: string; version: string; kind: string }): boolean {
  return clusterScopedKinds.has(`${apiVersionOf(id.group, id.version)} ${id.kind}`);
}

/** `_non_namespaceable_` for cluster-scoped kinds, `default` for no namespace, else the namespace. */
export function effectiveNamespace(id: ResId): string {
  if (isClusterScoped(id)) return '_non_namespaceable_';
  return id.namespace === '' || id.namespace === 'default' ? 'default' : id.namespace;
}

export function idEquals(a: ResId, b: ResId): boolean {
  return a.name === b.name && a.kind === b.kind && a.group === b.group && a.version === b.version && effectiveNamespace(a) === effectiveNamespace(b);
}

/** The previous ids with the current group and version, as kustomize rebuilds them from its annotations. */
export function prevIds(res: Res): ResId[] {
  const { group, version } = curId(res.root);
  return res.prevIds.map((prev) => ({ group, version, kind: prev.kind, name: prev.name, namespace: prev.namespace }));
}

export function orgId(res: Res): ResId {
  return prevIds(res)[0] ?? curId(res.root);
}

/** Current id and every previous one. */
export function allIds(res: Res): ResId[] {
  return [curId(res.root), ...prevIds(res)];
}

export function storePreviousId(res: Res): Res {
  const id = curId(res.root);
  return { ...res, prevIds: [...res.prevIds, { kind: id.kind, name: id.name, namespace: effectiveNamespace(id) }] };
}

/** `Kind name` (with namespace) for messages. */
export function describeId(id: ResId): string {
  return `${id.kind} ${id.namespace ? `${id.namespace}/` : ''}${id.name}`;
}

/** Kustomize's `IsSelected`: a selector id with empty parts matches anything in those parts. */
export function gvkSelected(id: { group: string; version: string; kind: string }, selector: { group?: string; version?: string; kind?: string }): boolean {
  if (selector.group && selector.group !== id.group) return false;
  if (selector.version && selector.version !== id.version) return false;
  if (selector.kind && selector.kind !== id.kind) return false;
  return true;
}

/** Kustomize's ResId.IsSelectedBy. */
export function idSelectedBy(id: ResId, selector: ResId): boolean {
  return (selector.name === '' || selector.name === id.name) && (selector.namespace === '' || effectiveNamespace(selector) === effectiveNamespace(id)) && gvkSelected(id, selector);
}

export function nameNode(root: RMap): RNode | null {
  return get(metadataOf(root), 'name');
}
