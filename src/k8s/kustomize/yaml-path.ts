import { isMap, isSeq, type Origin, type RMap, type RNode } from '../rendered.js';
import { splitFieldPath } from './field-path.js';
import { compileRegex } from './regex.js';
import { findPair, setPair, valueText } from './tree.js';

/**
 * kyaml's dotted paths as replacements and vars use them: `spec.template.spec.containers.[name=app].image`,
 * `spec.ports.0.port`, `metadata.annotations.[foo.bar/baz]`, `spec.ports[0].port` (vars). `lookup` follows
 * PathGetter (exact `[key=value]` matches, indexes, `-` for the last element); `matchAll` follows PathMatcher (the
 * value in `[key=value]` is an unanchored regular expression, `*` visits every element, and with `create` missing
 * fields and elements are made).
 */

export class PathError extends Error {}

/** kyaml's SmarterPathSplitter: split on `.`, keeping `[a.b=c]` together and unwrapping `[a.b]` to the key `a.b`. */
export function splitDottedPath(path: string): string[] {
  const split = splitFieldPath(path, '.');
  const out: string[] = [];
  for (let i = 0; i < split.length; i++) {
    const element = split[i] ?? '';
    if (element.startsWith('[') && !element.endsWith(']')) {
      const bracketed = [element];
      while (i < split.length - 1) {
        i++;
        bracketed.push(split[i] ?? '');
        if ((split[i] ?? '').endsWith(']')) break;
      }
      const joined = bracketed.join('.');
      out.push(joined.includes('=') ? joined : joined.replace(/^\[+|\]+$/g, ''));
    } else out.push(element);
  }
  return out;
}

/** `ports[0]` → `ports`, `0` (kyaml's convertSliceIndex, for vars' field paths). */
export function convertSliceIndex(parts: readonly string[]): string[] {
  const out: string[] = [];
  for (const part of parts) {
    const match = /^(.*)\[(\d+)\]$/.exec(part);
    if (match && match[1] !== undefined && !part.startsWith('[')) out.push(match[1], match[2] ?? '0');
    else out.push(part);
  }
  return out;
}

function isListSelector(part: string): boolean {
  return part.startsWith('[') && part.endsWith(']');
}

function splitSelector(part: string): { key: string; value: string } {
  const inner = part.slice(1, -1);
  const eq = inner.indexOf('=');
  if (eq < 0) throw new PathError(`${part} is not a [key=value] list selector`);
  return { key: inner.slice(0, eq), value: inner.slice(eq + 1) };
}

/** PathGetter: the node at the path, or null. */
export function lookup(root: RNode, parts: readonly string[]): RNode | null {
  let node: RNode | null = root;
  for (const raw of parts) {
    const part = raw.trim();
    if (part === '') continue;
    if (!node) return null;
    if (/^\d+$/.test(part) || part === '-') {
      if (!isSeq(node)) throw new PathError(`${part} indexes something that is not a list`);
      node = part === '-' ? (node.items[node.items.length - 1] ?? null) : (node.items[Number(part)] ?? null);
    } else if (isListSelector(part)) {
      if (!isSeq(node)) return null;
      const { key, value } = splitSelector(part);
      node = node.items.find((item) => (key === '' ? valueText(item) === value : isMap(item) && valueText(findPair(item, key)?.pair.value) === value)) ?? null;
    } else {
      node = isMap(node) ? (findPair(node, part)?.pair.value ?? null) : null;
    }
  }
  return node;
}

function emptyFor(next: string | undefined, createKind: 'map' | 'seq' | 'scalar', origin: Origin): RNode {
  if (next === undefined) return createKind === 'map' ? { kind: 'map', pairs: [], origin } : createKind === 'seq' ? { kind: 'seq', items: [], origin } : { kind: 'scalar', value: null, origin };
  if (isListSelector(next) || /^\d+$/.test(next)) return { kind: 'seq', items: [], origin };
  return { kind: 'map', pairs: [], origin };
}

/**
 * PathMatcher: replaces every node the path matches by `set(node)`; returns the new root and how many nodes matched.
 * With `create`, missing fields, `[key=value]` elements and the element at index = length are created.
 */
export function matchAll(root: RMap, parts: readonly string[], set: (node: RNode) => RNode, create: 'map' | 'seq' | 'scalar' | null, origin: Origin): { root: RMap; count: number } {
  let count = 0;
  const visit = (node: RNode, i: number): RNode => {
    if (i === parts.length) {
      count++;
      return set(node);
    }
    const part = parts[i] ?? '';
    const next = parts[i + 1];
    if (/^\d+$/.test(part)) {
      if (!isSeq(node)) throw new PathError(`${part} indexes something that is not a list`);
      const index = Number(part);
      let items = [...node.items];
      if (index === items.length && create) items = [...items, emptyFor(next, create, origin)];
      const element = items[index];
      if (element === undefined) throw new PathError(`index ${index} specified but only ${node.items.length} elements found`);
      const replaced = visit(element, i + 1);
      if (replaced === element && items.length === node.items.length) return node;
      items[index] = replaced;
      return { ...node, items };
    }
    if (isListSelector(part)) {
      if (!isSeq(node)) return node;
      const { key, value } = splitSelector(part);
      const regex = compileRegex(value);
      if ('error' in regex) throw new PathError(`list selector ${regex.error}`);
      const matches = (item: RNode) => (key === '' ? item.kind === 'scalar' && regex.regex.test((valueText(item) ?? '').trim()) : isMap(item) && findPair(item, key) !== null && regex.regex.test((valueText(findPair(item, key)?.pair.value) ?? '').trim()));
      let items = [...node.items];
      if (!items.some(matches) && create) {
        const scalar: RNode = { kind: 'scalar', value, origin };
        items.push(key === '' ? scalar : { kind: 'map', pairs: [{ key, keyOrigin: origin, value: scalar }], origin });
      }
      let changed = items.length !== node.items.length;
      items = items.map((item) => {
        if (!matches(item)) return item;
        const replaced = visit(item, i + 1);
        if (replaced !== item) changed = true;
        return replaced;
      });
      return changed ? { ...node, items } : node;
    }
    if (part === '*') {
      if (!isSeq(node)) throw new PathError('* visits the elements of a list');
      let changed = false;
      const items = node.items.map((item) => {
        const replaced = visit(item, i + 1);
        if (replaced !== item) changed = true;
        return replaced;
      });
      return changed ? { ...node, items } : node;
    }
    if (!isMap(node)) return node;
    const existing = findPair(node, part);
    if (!existing && !create) return node;
    const value = existing?.pair.value ?? emptyFor(next, create ?? 'scalar', origin);
    const replaced = visit(value, i + 1);
    if (existing && replaced === existing.pair.value) return node;
    return setPair(node, part, replaced, existing?.pair.keyOrigin ?? origin);
  };
  const out = visit(root, 0);
  if (!isMap(out)) throw new PathError('the path replaced the whole object');
  return { root: out, count };
}
