import { isMap, isScalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { joinPath } from '../k8s/helm/chart.js';
import type { Kustomization } from '../k8s/kustomize.js';
import type { Location } from '../model/location.js';
import { childMap, childSeq, keyString, locatePairByKey, pairFor, scalarString, type FileModel, type Located } from './file-model.js';
import { removeEntries, removeKeys, type Built } from './yaml-edits.js';

/**
 * Kustomize edits go where a label or object is written — a base resource, a kustomization's `commonLabels` or
 * `labels`, a patch — never into rendered output.
 */

export function offsetOf(file: FileModel, at: Location): number {
  return file.lines.lineStart(at.line) + at.column - 1;
}

/** Where a kustomization label entry sits: `commonLabels`, or the `pairs` of one `labels` item. */
export type KustomizeLabelSite =
  | { readonly kind: 'commonLabels'; readonly map: Located<YAMLMap> }
  | { readonly kind: 'labels'; readonly map: Located<YAMLMap>; readonly item: number; readonly includeSelectors: boolean; readonly items: Located<YAMLSeq> };

export function kustomizeLabelSite(file: FileModel, keyAt: Location): KustomizeLabelSite | null {
  const found = locatePairByKey(file, offsetOf(file, keyAt));
  if (!found) return null;
  const path = found.map.path;
  if (path.length === 1 && path[0] === 'commonLabels') return { kind: 'commonLabels', map: found.map };
  if (path.length === 3 && path[0] === 'labels' && typeof path[1] === 'number' && path[2] === 'pairs') {
    const root = file.docs[found.map.doc]?.contents;
    if (!isMap(root)) return null;
    const items = childSeq({ file, doc: found.map.doc, path: [], node: root }, 'labels');
    const item = items?.node.items[path[1]];
    if (!items || !isMap(item)) return null;
    const selectors = scalarString(pairFor(item, 'includeSelectors')?.value);
    return { kind: 'labels', map: found.map, item: path[1], includeSelectors: selectors === 'true', items };
  }
  return null;
}

/**
 * Removes a label from a `labels` item: the pair, or the whole item when it was its only pair, or the whole `labels`
 * key when that item was the only one. `commonLabels` and `includeSelectors: true` write selectors too: declined.
 */
export function removeKustomizeLabel(file: FileModel, site: KustomizeLabelSite, key: string, why: string): Built {
  if (site.kind === 'commonLabels' || site.includeSelectors) {
    return { decline: `${key} is in ${site.kind === 'commonLabels' ? 'commonLabels' : 'labels with includeSelectors: true'} of ${file.path}, which also writes spec.selector` };
  }
  const pairs = site.map.node.items.filter((pair) => keyString(pair) !== key);
  if (pairs.length > 0) return removeKeys(site.map, [key], why);
  if (site.items.node.items.length > 1) return removeEntries(site.items, [site.item], why);
  const root = file.docs[site.map.doc]?.contents;
  if (!isMap(root)) return { decline: 'the kustomization is not a map' };
  return removeKeys({ file, doc: site.map.doc, path: [], node: root }, ['labels'], why);
}

/** Removes the entry naming `path` (a file about to be deleted) from a kustomization's resources. */
export function removeResourceEntry(file: FileModel, kustomization: Kustomization, path: string, why: string): Built | null {
  const root = file.docs[0]?.contents;
  if (!isMap(root)) return null;
  const located: Located<YAMLMap> = { file, doc: 0, path: [], node: root };
  for (const key of ['resources', 'bases', 'components', 'crds']) {
    const list = childSeq(located, key);
    if (!list) continue;
    const index = list.node.items.findIndex((item) => isScalar(item) && typeof item.value === 'string' && joinPath(kustomization.dir, item.value) === path);
    if (index < 0) continue;
    // A list left empty would drop the key's meaning: remove the key instead.
    if (list.node.items.length === 1) return removeKeys(located, [key], why);
    return removeEntries(list, [index], why);
  }
  return null;
}

/** The pod template labels map of an object in a patch document, by kind (Deployment, CronJob, Pod…). */
export function patchTemplateLabels(file: FileModel, doc: number): { kind: string; name: string; labels: Located<YAMLMap> | null; selector: Located<YAMLMap> | null } | null {
  const root = file.docs[doc]?.contents;
  if (!isMap(root)) return null;
  const at: Located<YAMLMap> = { file, doc, path: [], node: root };
  const kind = scalarString(pairFor(root, 'kind')?.value);
  const metadata = childMap(at, 'metadata');
  const name = metadata ? scalarString(pairFor(metadata.node, 'name')?.value) : null;
  if (!kind || !name) return null;
  const templatePath = kind === 'Pod' ? [] : kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template'] : ['spec', 'template'];
  let current: Located<YAMLMap> | null = at;
  for (const key of templatePath) current = current ? childMap(current, key) : null;
  const templateMetadata = current ? childMap(current, 'metadata') : null;
  const labels = templateMetadata ? childMap(templateMetadata, 'labels') : null;
  const spec = childMap(at, 'spec');
  const selectorRoot = spec ? childMap(spec, 'selector') : null;
  const selector = selectorRoot ? (childMap(selectorRoot, 'matchLabels') ?? selectorRoot) : null;
  return { kind, name, labels, selector };
}

/** Every kustomization file reachable from `root` through resources that are kustomizations, and their own files. */
export function kustomizationClosure(root: Kustomization, all: readonly Kustomization[]): { kustomizations: Set<string>; files: Set<string> } {
  const byPath = new Map(all.map((item) => [item.path, item]));
  const kustomizations = new Set<string>();
  const files = new Set<string>();
  const visit = (item: Kustomization) => {
    if (kustomizations.has(item.path)) return;
    kustomizations.add(item.path);
    for (const resource of item.resources) {
      if (resource.kind === 'file') files.add(resource.path);
      const child = resource.kind === 'kustomization' ? byPath.get(resource.path) : undefined;
      if (child) visit(child);
    }
  };
  visit(root);
  return { kustomizations, files };
}
