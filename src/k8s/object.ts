import { isMap, isScalar, type YAMLMap } from 'yaml';
import type { Location } from '../model/location.js';
import type { HelmInstance } from './helm/chart.js';
import { asSeq, get, isInactive, nodeLocation, text, textAt, type Entry, type SourceDoc, type TextValue } from './source-doc.js';

/** Where a workload's manifest comes from. */
export type ManifestSource = 'manifest' | 'helm' | 'kustomize';

/** Where the namespace pod2wi uses for an object came from. */
export type NamespaceSource = 'manifest' | 'kustomization' | 'helm-release' | 'option' | 'default';

/** What a Kustomize build applies to an object from outside its own file. */
export interface Overlay {
  /** The kustomization that rendered this object (the root of the build). */
  readonly kustomization: string;
  readonly namespace: TextValue | null;
  readonly namePrefix: string;
  readonly nameSuffix: string;
  /** commonLabels / labels, by where they land. */
  readonly metadataLabels: readonly Entry[];
  readonly templateLabels: readonly Entry[];
  readonly selectorLabels: readonly Entry[];
  /** ServiceAccount names in the same build, written → rendered, so serviceAccountName references follow renames. */
  readonly serviceAccountNames: ReadonlyMap<string, string>;
}

/** A Kubernetes object read from a manifest, a chart template or a Kustomize build, with its source positions. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  /** `metadata.name` / `metadata.namespace` as written (templates resolved where possible). */
  readonly name: TextValue | null;
  readonly namespace: TextValue | null;
  readonly at: Location;
  readonly doc: SourceDoc;
  readonly node: YAMLMap;
  readonly source: ManifestSource;
  readonly overlay: Overlay | null;
  readonly helm: HelmInstance | null;
}

/**
 * The Kubernetes objects of one document: the object itself, or the items of a `List` / `*List`. Documents
 * without a string apiVersion and kind are not Kubernetes objects and give nothing.
 */
export function objectsOf(doc: SourceDoc, source: ManifestSource, helm: HelmInstance | null = null): K8sObject[] {
  const root = doc.contents;
  if (!isMap(root)) return [];
  const object = toObject(doc, root, source, helm);
  if (!object) return [];
  const items = asSeq(get(doc, root, 'items'));
  if (object.kind.endsWith('List') && items) {
    return items.items.flatMap((item) => {
      if (!isMap(item)) return [];
      const inner = toObject(doc, item, source, helm);
      return inner ? [inner] : [];
    });
  }
  return [object];
}

function toObject(doc: SourceDoc, node: YAMLMap, source: ManifestSource, helm: HelmInstance | null): K8sObject | null {
  // A template document whose branch is not taken with these values does not render.
  if (isInactive(doc, nodeLocation(doc, node).line)) return null;
  const apiVersion = scalarString(doc, get(doc, node, 'apiVersion'));
  const kind = scalarString(doc, get(doc, node, 'kind'));
  if (!apiVersion || !kind) return null;
  return {
    apiVersion,
    kind,
    name: textAt(doc, node, ['metadata', 'name']),
    namespace: textAt(doc, node, ['metadata', 'namespace']),
    at: nodeLocation(doc, node),
    doc,
    node,
    source,
    overlay: null,
    helm,
  };
}

function scalarString(doc: SourceDoc, node: unknown): string | null {
  if (!isScalar(node)) return null;
  const value = text(doc, node);
  return value?.value ? value.value : null;
}

/** The name after Kustomize prefix/suffix; null when unnamed or unresolved. */
export function effectiveName(object: K8sObject): string | null {
  const name = object.name?.value;
  if (!name) return null;
  return object.overlay ? `${object.overlay.namePrefix}${name}${object.overlay.nameSuffix}` : name;
}

/** The name to show: the effective name, or the template text, or `(unnamed)`. */
export function displayName(object: K8sObject): string {
  return effectiveName(object) ?? object.name?.template ?? '(unnamed)';
}

export interface EffectiveNamespace {
  readonly value: string;
  readonly at: Location | null;
  readonly source: NamespaceSource;
}

/**
 * The namespace an object lands in: a Kustomize `namespace:` overrides everything; then the object's own
 * metadata.namespace; then the Helm release's namespace; then --namespace; then `default`.
 */
export function effectiveNamespace(object: K8sObject, option: string | null): EffectiveNamespace {
  const overlay = object.overlay?.namespace;
  if (overlay?.value) return { value: overlay.value, at: overlay.at, source: 'kustomization' };
  const own = object.namespace;
  if (own?.value) {
    const fromRelease = own.template !== undefined && /\.Release\.Namespace/.test(own.template);
    return { value: own.value, at: own.resolvedAt ?? own.at, source: fromRelease ? 'helm-release' : 'manifest' };
  }
  const release = object.helm?.namespace;
  if (release) return { value: release.value, at: release.at, source: 'helm-release' };
  if (option) return { value: option, at: null, source: 'option' };
  return { value: 'default', at: null, source: 'default' };
}
