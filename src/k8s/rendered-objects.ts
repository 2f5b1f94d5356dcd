import { get, getIn, isMap, isSeq, textOf, type Condition, type Origin, type RenderedObject, type RenderUnit, type RMap, type RNode } from './rendered.js';
import type { TreeDocument } from './yaml-tree.js';

/**
 * The Kubernetes objects of one rendered document: the object itself, or the items of a `List` / `*List`. Documents
 * without a string apiVersion and kind are not Kubernetes objects and give nothing.
 */
export function objectsOfDocument(
  document: TreeDocument,
  unit: RenderUnit,
  conditions: readonly Condition[] = [],
  firstIndex = 0,
): RenderedObject[] {
  const root = document.node;
  if (!isMap(root)) return [];
  const object = objectOf(root, unit, conditions, firstIndex, document.at);
  if (!object) return [];
  const items = get(root, 'items');
  if (object.kind.endsWith('List') && isSeq(items)) {
    let index = firstIndex;
    return items.items.flatMap((item) => {
      if (!isMap(item)) return [];
      const inner = objectOf(item, unit, conditions, index, item.origin);
      if (inner) index++;
      return inner ? [inner] : [];
    });
  }
  return [object];
}

/** A map as a Kubernetes object, when it has a string apiVersion and kind. */
export function objectOf(root: RMap, unit: RenderUnit, conditions: readonly Condition[], index: number, at: Origin): RenderedObject | null {
  const apiVersion = textOf(get(root, 'apiVersion'));
  const kind = textOf(get(root, 'kind'));
  if (!apiVersion || !kind) return null;
  return {
    apiVersion,
    kind,
    name: nameNode(getIn(root, ['metadata', 'name'])),
    namespace: nameNode(getIn(root, ['metadata', 'namespace'])),
    root,
    unit,
    at,
    conditions,
    index,
  };
}

function nameNode(node: RNode | null): RenderedObject['name'] {
  if (!node) return null;
  if (node.kind === 'scalar' || node.kind === 'unknown') return node;
  return null;
}

/** The object with a new root (after a transformer), its name and namespace read again. */
export function withRoot(object: RenderedObject, root: RMap): RenderedObject {
  return { ...object, root, name: nameNode(getIn(root, ['metadata', 'name'])), namespace: nameNode(getIn(root, ['metadata', 'namespace'])) };
}
