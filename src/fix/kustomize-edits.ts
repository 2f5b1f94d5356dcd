import { isMap, type YAMLMap, type YAMLSeq } from 'yaml';
import type { Location } from '../model/location.js';
import { childSeq, keyString, locatePairByKey, pairFor, scalarString, type FileModel, type Located } from './file-model.js';
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
