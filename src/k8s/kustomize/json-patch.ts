import { isMap, isSeq, toPlain, type Origin, type RMap, type RNode } from '../rendered.js';
import { setPair, valueText } from './tree.js';

/**
 * JSON Patch (RFC 6902) on rendered trees, with the semantics of the library kustomize uses (evanphx/json-patch v4):
 * `add` creates or replaces a key and inserts into a list (`-` appends); `remove`, `replace`, `move` and `copy` need
 * their paths to exist; `test` compares plain data. Added and replacing values keep the origin of the operation's
 * `value` in the patch text.
 */

export class JsonPatchError extends Error {}

/** One operation as read from the patch, with where its value was written. */
export interface JsonPatchOperation {
  readonly op: string;
  readonly path: string | null;
  readonly from: string | null;
  /** The `value` node (already carrying its origin), or undefined when the operation has none. */
  readonly value: RNode | undefined;
  readonly at: Origin;
}

/** Reads the operations of a JSON 6902 patch document (a list of maps); null when it is not one. */
export function readOperations(node: RNode | null): JsonPatchOperation[] | null {
  if (!isSeq(node)) return null;
  const out: JsonPatchOperation[] = [];
  for (const item of node.items) {
    if (!isMap(item)) return null;
    const field = (key: string) => item.pairs.find((pair) => pair.key === key)?.value;
    const op = valueText(field('op'));
    if (op === null) return null;
    out.push({ op, path: valueText(field('path')), from: valueText(field('from')), value: field('value'), at: item.origin });
  }
  return out;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPatchError(`path ${JSON.stringify(pointer)} does not start with /`);
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function child(node: RNode, key: string): RNode | undefined {
  if (isMap(node)) {
    for (let i = node.pairs.length - 1; i >= 0; i--) if (node.pairs[i]?.key === key) return node.pairs[i]?.value;
    return undefined;
  }
  if (isSeq(node)) {
    const index = arrayIndex(key, node.items.length, false);
    return index === null ? undefined : node.items[index];
  }
  return undefined;
}

/** A list index: digits only (evanphx also accepts negative ones counting from the end). */
function arrayIndex(key: string, length: number, forInsert: boolean): number | null {
  if (!/^-?\d+$/.test(key)) return null;
  let index = Number(key);
  if (index < 0) {
    if (-index > length) return null;
    index += length;
  }
  if (forInsert ? index > length : index >= length) return null;
  return index;
}

function getAt(root: RNode, parts: readonly string[]): RNode | undefined {
  let current: RNode | undefined = root;
  for (const part of parts) {
    if (!current) return undefined;
    current = child(current, part);
  }
  return current;
}

/** Rebuilds the path to the parent of the last part, applying `edit` to that parent. */
function editParent(root: RNode, parts: readonly string[], edit: (parent: RNode, key: string) => RNode, describe: string): RNode {
  if (parts.length === 0) throw new JsonPatchError(`${describe}: the whole document cannot be the target`);
  const walk = (node: RNode, depth: number): RNode => {
    const key = parts[depth] ?? '';
    if (depth === parts.length - 1) return edit(node, key);
    const next = child(node, key);
    if (next === undefined) throw new JsonPatchError(`${describe}: doc is missing path ${JSON.stringify('/' + parts.slice(0, depth + 1).join('/'))}`);
    const replaced = walk(next, depth + 1);
    if (replaced === next) return node;
    if (isMap(node)) return setPair(node, key, replaced, node.origin);
    if (isSeq(node)) {
      const index = arrayIndex(key, node.items.length, false) ?? 0;
      const items = [...node.items];
      items[index] = replaced;
      return { ...node, items };
    }
    throw new JsonPatchError(`${describe}: ${key} is not in a map or list`);
  };
  return walk(root, 0);
}

function add(root: RNode, parts: readonly string[], value: RNode, describe: string): RNode {
  return editParent(root, parts, (parent, key) => {
    if (isMap(parent)) return setPair(parent, key, value, value.origin);
    if (isSeq(parent)) {
      const index = key === '-' ? parent.items.length : arrayIndex(key, parent.items.length, true);
      if (index === null) throw new JsonPatchError(`${describe}: index ${key} is out of bounds`);
      const items = [...parent.items];
      items.splice(index, 0, value);
      return { ...parent, items };
    }
    throw new JsonPatchError(`${describe}: the parent is not a map or list`);
  }, describe);
}

function remove(root: RNode, parts: readonly string[], describe: string): RNode {
  return editParent(root, parts, (parent, key) => {
    if (isMap(parent)) {
      if (!parent.pairs.some((pair) => pair.key === key)) throw new JsonPatchError(`${describe}: Unable to remove nonexistent key: ${key}`);
      return { ...parent, pairs: parent.pairs.filter((pair) => pair.key !== key) };
    }
    if (isSeq(parent)) {
      const index = arrayIndex(key, parent.items.length, false);
      if (index === null) throw new JsonPatchError(`${describe}: index ${key} is out of bounds`);
      return { ...parent, items: parent.items.filter((_, i) => i !== index) };
    }
    throw new JsonPatchError(`${describe}: the parent is not a map or list`);
  }, describe);
}

function replace(root: RNode, parts: readonly string[], value: RNode, describe: string): RNode {
  return editParent(root, parts, (parent, key) => {
    if (isMap(parent)) {
      if (!parent.pairs.some((pair) => pair.key === key)) throw new JsonPatchError(`${describe}: doc is missing key: ${key}`);
      return setPair(parent, key, value, value.origin);
    }
    if (isSeq(parent)) {
      const index = arrayIndex(key, parent.items.length, false);
      if (index === null) throw new JsonPatchError(`${describe}: index ${key} is out of bounds`);
      const items = [...parent.items];
      items[index] = value;
      return { ...parent, items };
    }
    throw new JsonPatchError(`${describe}: the parent is not a map or list`);
  }, describe);
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((key) => Object.hasOwn(b, key) && jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
  }
  return false;
}

/** Applies the operations in order; throws JsonPatchError where kustomize would fail. */
export function applyJsonPatch(root: RMap, operations: readonly JsonPatchOperation[]): RMap {
  let doc: RNode = root;
  for (const operation of operations) {
    const describe = `${operation.op} ${operation.path ?? ''}`;
    if (operation.path === null) throw new JsonPatchError(`${operation.op}: operation missing path`);
    const parts = parsePointer(operation.path);
    switch (operation.op) {
      case 'add':
        if (operation.value === undefined) throw new JsonPatchError(`${describe}: operation missing value`);
        doc = add(doc, parts, operation.value, describe);
        break;
      case 'remove':
        doc = remove(doc, parts, describe);
        break;
      case 'replace':
        if (operation.value === undefined) throw new JsonPatchError(`${describe}: operation missing value`);
        doc = replace(doc, parts, operation.value, describe);
        break;
      case 'move':
      case 'copy': {
        if (operation.from === null) throw new JsonPatchError(`${describe}: operation missing from`);
        const fromParts = parsePointer(operation.from);
        const value = getAt(doc, fromParts);
        if (value === undefined) throw new JsonPatchError(`${describe}: from ${JSON.stringify(operation.from)} is missing`);
        if (operation.op === 'move') {
          if (operation.path.startsWith(`${operation.from}/`)) throw new JsonPatchError(`${describe}: cannot move a value into itself`);
          doc = remove(doc, fromParts, describe);
        }
        doc = add(doc, parts, value, describe);
        break;
      }
      case 'test': {
        const actual = getAt(doc, parts);
        const expected = operation.value === undefined ? null : toPlain(operation.value);
        if (actual === undefined ? expected !== null : !jsonEqual(toPlain(actual), expected)) {
          throw new JsonPatchError(`${describe}: testing value ${operation.path} failed`);
        }
        break;
      }
      default:
        throw new JsonPatchError(`Unexpected kind: ${operation.op}`);
    }
  }
  if (!isMap(doc)) throw new JsonPatchError('the patch leaves something that is not an object');
  return doc;
}
