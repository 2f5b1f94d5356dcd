import { get, isMap, type Origin, type RMap, type RNode } from '../rendered.js';
import type { FieldSpec } from './field-specs.js';
import { splitApiVersion } from './resource.js';
import { findPair, setPair, valueText } from './tree.js';

/**
 * Kustomize's field specs walked over immutable trees (api/filters/fieldspec): a `/`-separated path where `\/` escapes
 * a slash inside a key, `name[]` looks a list up without creating it, and a list met on the way is walked element by
 * element. With `create`, missing maps on the way and the last field are created (kind given by the transformer); a
 * `null` met where a node would be created becomes that node.
 */

export class FieldTypeError extends Error {}

export type CreateKind = 'map' | 'scalar' | 'seq';

/** kyaml's PathSplitter: split on the delimiter, except where it is escaped with a backslash. */
export function splitFieldPath(path: string, delimiter = '/'): string[] {
  const parts = path.split(delimiter);
  if (parts.length > 1 && parts[0] === '') parts.shift();
  const out: string[] = [parts[0] ?? ''];
  for (let i = 1; i < parts.length; i++) {
    const last = out[out.length - 1] ?? '';
    if (last.endsWith('\\')) out[out.length - 1] = `${last.slice(0, -1)}${delimiter}${parts[i] ?? ''}`;
    else out.push(parts[i] ?? '');
  }
  return out;
}

/** Whether a field spec applies to an object (its group, version, kind, when given, match). */
export function specMatches(spec: { group?: string; version?: string; kind?: string }, root: RMap): boolean {
  const kind = valueText(get(root, 'kind')) ?? '';
  if (spec.kind && spec.kind !== kind) return false;
  const { group, version } = splitApiVersion(valueText(get(root, 'apiVersion')) ?? '');
  if (spec.group && spec.group !== group) return false;
  if (spec.version && spec.version !== version) return false;
  return true;
}

function emptyNode(kind: CreateKind, origin: Origin): RNode {
  if (kind === 'map') return { kind: 'map', pairs: [], origin };
  if (kind === 'seq') return { kind: 'seq', items: [], origin };
  return { kind: 'scalar', value: '', origin };
}

function isNullScalar(node: RNode): boolean {
  return node.kind === 'scalar' && node.value === null;
}

export interface FieldSpecOptions {
  /** The kind of node to create at the end of the path (kustomize's CreateKind); null: never create. */
  readonly createKind: CreateKind | null;
  /** Origin of the nodes created on the way. */
  readonly created: Origin;
}

/**
 * Applies `set` to every node the field spec reaches in `root` (creating what the spec and options say), returning the
 * new root, or `root` itself when nothing changed. Throws FieldTypeError where kustomize fails (a scalar on the path).
 */
export function applyFieldSpec(root: RMap, spec: FieldSpec, set: (node: RNode) => RNode, options: FieldSpecOptions): RMap {
  if (!specMatches(spec, root)) return root;
  const parts = splitFieldPath(spec.path);
  const visit = (node: RNode, i: number): RNode => {
    if (i === parts.length) return set(node);
    if (isNullScalar(node)) return node;
    if (node.kind === 'seq') {
      let changed = false;
      const items = node.items.map((item) => {
        const next = visit(item, i);
        if (next !== item) changed = true;
        return next;
      });
      return changed ? { ...node, items } : node;
    }
    if (!isMap(node)) throw new FieldTypeError(`field ${JSON.stringify(spec.path)}: expected a sequence or mapping node at ${JSON.stringify(parts.slice(0, i).join('/'))}`);
    const part = parts[i] ?? '';
    const isList = part.endsWith('[]');
    const name = isList ? part.slice(0, -2) : part;
    if (name === '') throw new FieldTypeError(`field ${JSON.stringify(spec.path)}: cannot set or create an empty field name`);
    const existing = findPair(node, name);
    let kind: CreateKind | null = null;
    let value: RNode | null;
    if (!spec.create || options.createKind === null || isList) {
      value = existing?.pair.value ?? null;
      kind = isList ? 'seq' : null;
    } else if (i === parts.length - 1) {
      kind = options.createKind;
      value = existing?.pair.value ?? emptyNode(kind, options.created);
    } else {
      kind = 'map';
      value = existing?.pair.value ?? emptyNode('map', options.created);
    }
    if (value === null) return node;
    if (kind !== null && isNullScalar(value)) value = emptyNode(kind, options.created);
    const next = visit(value, i + 1);
    if (existing && next === existing.pair.value) return node;
    return setPair(node, name, next, existing?.pair.keyOrigin ?? options.created);
  };
  const result = visit(root, 0);
  if (!isMap(result)) throw new FieldTypeError(`field ${JSON.stringify(spec.path)} replaced the object`);
  return result;
}

/** A setter for map-valued fields (labels, annotations): sets `key` to `value` in the map reached. */
export function setEntry(key: string, value: RNode, keyOrigin: Origin, path: string): (node: RNode) => RNode {
  return (node) => {
    // kyaml appends to a null node without effect on the output.
    if (isNullScalar(node)) return node;
    if (!isMap(node)) throw new FieldTypeError(`field ${JSON.stringify(path)} is not a map`);
    return setPair(node, key, value, keyOrigin);
  };
}
