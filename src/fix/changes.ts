import { unitKey } from '../podidentity/graph.js';
import { effectiveNamespace, objectName } from '../k8s/namespaces.js';
import { toPlain, type RenderedObject } from '../k8s/rendered.js';
import { pushTo } from '../model/collections.js';

/**
 * What a phase wants a rendered object to become, in terms of its rendered data: a fix is correct when rendering the
 * edited sources again shows exactly these changes and no other.
 */

/** An object across renders: its unit, kind, namespace and name (`unit|Kind|namespace|name`). */
export type ObjectKey = string;

export function objectKey(object: RenderedObject, namespaceOption: string | null): ObjectKey {
  return `${unitKey(object.unit)}|${object.kind}|${effectiveNamespace(object, namespaceOption).value}|${objectName(object) ?? `#${object.index}`}`;
}

export type Change =
  /** Set a string at a key path (maps on the way are created). */
  | { readonly op: 'set'; readonly object: ObjectKey; readonly path: readonly string[]; readonly value: string }
  /** Remove a key and everything under it. */
  | { readonly op: 'remove'; readonly object: ObjectKey; readonly path: readonly string[] }
  /** A new object; `fields` are key paths whose values it must have (others may be added by the renderer). */
  | { readonly op: 'create'; readonly object: ObjectKey; readonly fields: readonly (readonly [readonly string[], string])[] }
  | { readonly op: 'delete'; readonly object: ObjectKey };

export function describeChange(change: Change): string {
  const name = change.object.split('|').slice(-3).join('/');
  switch (change.op) {
    case 'set':
      return `${name}: ${change.path.join('.')} = ${JSON.stringify(change.value)}`;
    case 'remove':
      return `${name}: remove ${change.path.join('.')}`;
    case 'create':
      return `${name}: created`;
    case 'delete':
      return `${name}: deleted`;
  }
}

const separator = '\u0000';

/** Path → JSON of each leaf; empty maps and lists count as absent (Kubernetes reads them the same way). */
export function flatten(value: unknown, prefix: readonly string[] = [], out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    value.forEach((item, index) => flatten(item, [...prefix, String(index)], out));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) flatten(item, [...prefix, key], out);
  } else {
    out.set(prefix.join(separator), JSON.stringify(value));
  }
  return out;
}

const pathKey = (path: readonly string[]) => path.join(separator);
const shown = (key: string) => key.split(separator).join('.');

/** Rendered objects by key, as plain data. */
export function snapshot(objects: readonly RenderedObject[], namespaceOption: string | null): Map<ObjectKey, unknown> {
  const out = new Map<ObjectKey, unknown>();
  for (const object of objects) {
    const key = objectKey(object, namespaceOption);
    if (!out.has(key)) out.set(key, toPlain(object.root));
  }
  return out;
}

/** How a render differs from the intended change: a difference nobody wants, or a wanted change not made yet. */
export interface Verdict {
  /** The first difference that is neither `must` nor `may`, in words; null when there is none. */
  readonly extra: string | null;
  /** The first `must` change that does not hold, in words; null when all hold. */
  readonly missing: string | null;
}

/**
 * Whether the rendered difference between two states is exactly allowed: every `must` change holds after, and every
 * difference is one of `must` or `may` (changes other subjects of the same run also want).
 */
export function judge(
  before: ReadonlyMap<ObjectKey, unknown>,
  after: ReadonlyMap<ObjectKey, unknown>,
  must: readonly Change[],
  may: readonly Change[],
): Verdict {
  const allowed = new Map<ObjectKey, Change[]>();
  for (const change of [...must, ...may]) pushTo(allowed, change.object, change);
  const name = (key: ObjectKey) => key.split('|').slice(1).join(' ');
  const unit = (key: ObjectKey) => key.split('|')[0]?.split(':').slice(1).filter(Boolean).join(' ') ?? '';

  const missingOf = (): string | null => {
  for (const change of must) {
      const data = after.get(change.object);
      if (change.op === 'delete') {
        if (data !== undefined) return `${name(change.object)} is still rendered in ${unit(change.object)}`;
        continue;
      }
      if (data === undefined) return `${name(change.object)} is not rendered in ${unit(change.object)}`;
      const flat = flatten(data);
      if (change.op === 'set' && flat.get(pathKey(change.path)) !== JSON.stringify(change.value)) {
        return `${name(change.object)} in ${unit(change.object)} does not render ${change.path.join('.')}: ${JSON.stringify(change.value)}`;
      }
      if (change.op === 'remove') {
        const prefix = pathKey(change.path);
        if ([...flat.keys()].some((key) => key === prefix || key.startsWith(prefix + separator))) {
          return `${name(change.object)} in ${unit(change.object)} still renders ${change.path.join('.')}`;
        }
      }
      if (change.op === 'create') {
        for (const [path, value] of change.fields) {
          if (flat.get(pathKey(path)) !== JSON.stringify(value)) return `the new ${name(change.object)} does not render ${path.join('.')}: ${JSON.stringify(value)}`;
        }
      }
    }

    return null;
  };
  const extraOf = (): string | null => {
  for (const key of new Set([...before.keys(), ...after.keys()])) {
      const was = before.get(key);
      const is = after.get(key);
      const changes = allowed.get(key) ?? [];
      if (was !== undefined && is === undefined) {
        if (!changes.some((change) => change.op === 'delete')) return `${name(key)} would no longer render in ${unit(key)}`;
        continue;
      }
      if (was === undefined && is !== undefined) {
        if (!changes.some((change) => change.op === 'create')) return `${name(key)} would appear in ${unit(key)}`;
        continue;
      }
      if (was === undefined || is === undefined) continue;
      const a = flatten(was);
      const b = flatten(is);
      for (const path of new Set([...a.keys(), ...b.keys()])) {
        const old = a.get(path);
        const now = b.get(path);
        if (old === now) continue;
        const covered = changes.some((change) => {
          if (change.op === 'set') return pathKey(change.path) === path && now === JSON.stringify(change.value);
          if (change.op === 'remove') return now === undefined && (path === pathKey(change.path) || path.startsWith(pathKey(change.path) + separator));
          return false;
        });
        if (!covered) {
          return `${name(key)} in ${unit(key)} would change at ${shown(path)}: ${old ?? '(absent)'} → ${now ?? '(absent)'}`;
        }
      }
    }
    return null;
  };
  return { extra: extraOf(), missing: missingOf() };
}
