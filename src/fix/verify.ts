import { isDeepStrictEqual } from 'node:util';
import { decodePlaceholders, partsToTemplate, type SanitizedTemplate } from './template-text.js';
import { fileModel, type FileModel, type YamlPath } from './file-model.js';

/**
 * The semantic change an edit means, in terms of the documents' data (`toJS()`): the verifier applies the intents to
 * the data before the edit and requires exactly that data after it. Document indexes are those of the file before.
 */
export type Intent =
  /** Set a key (creating missing maps on the way). */
  | { readonly op: 'set'; readonly doc: number; readonly path: YamlPath; readonly value: unknown }
  /** Remove a key, or a sequence item (by index). */
  | { readonly op: 'delete'; readonly doc: number; readonly path: YamlPath }
  /** Append an item to a sequence. */
  | { readonly op: 'push'; readonly doc: number; readonly path: YamlPath; readonly value: unknown }
  | { readonly op: 'delete-doc'; readonly doc: number }
  | { readonly op: 'append-doc'; readonly value: unknown };

export function intentKey(intent: Intent): string {
  return JSON.stringify(intent);
}

/** Each document's data, with template placeholders turned back into `{{ expression }}` text. */
export function documentData(file: FileModel): unknown[] {
  return file.docs.map((doc) => decodeTemplate(doc.toJS({ maxAliasCount: -1 }) as unknown, file.template));
}

function decodeTemplate(value: unknown, template: SanitizedTemplate | null): unknown {
  if (!template) return value;
  const decode = (text: string) => (text.includes('§') ? partsToTemplate(decodePlaceholders(text, template.expressions)) : text);
  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') return decode(node);
    if (Array.isArray(node)) return node.map(visit);
    if (node instanceof Map) return new Map([...node.entries()].map(([key, item]) => [visit(key), visit(item)]));
    if (node && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node as Record<string, unknown>).map(([key, item]) => [decode(key), visit(item)]));
    }
    return node;
  };
  return visit(value);
}

/** The data the documents must hold after the intents, from the data before. */
export function expectedData(before: readonly unknown[], intents: readonly Intent[]): unknown[] {
  const docs: unknown[] = before.map((doc) => structuredClone(doc));
  const deletedDocs = new Set<number>();
  const deletes: { doc: number; path: YamlPath }[] = [];
  const appended: unknown[] = [];
  for (const intent of intents) {
    if (intent.op === 'set') docs[intent.doc] = setIn(docs[intent.doc], intent.path, intent.value);
    else if (intent.op === 'push') {
      const list = getIn(docs[intent.doc], intent.path);
      if (Array.isArray(list)) list.push(structuredClone(intent.value));
      else throw new Error(`no sequence at ${intent.path.join('.')}`);
    } else if (intent.op === 'delete') deletes.push({ doc: intent.doc, path: intent.path });
    else if (intent.op === 'delete-doc') deletedDocs.add(intent.doc);
    else appended.push(structuredClone(intent.value));
  }
  // Sequence items go last-first so earlier indexes stay valid.
  deletes.sort((a, b) => {
    const last = (path: YamlPath) => path[path.length - 1];
    const x = last(a.path);
    const y = last(b.path);
    return typeof x === 'number' && typeof y === 'number' ? y - x : 0;
  });
  for (const item of deletes) deleteIn(docs[item.doc], item.path);
  return [...docs.filter((_, index) => !deletedDocs.has(index)), ...appended];
}

function getIn(root: unknown, path: YamlPath): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

function setIn(root: unknown, path: YamlPath, value: unknown): unknown {
  if (path.length === 0) return structuredClone(value);
  const base = root !== null && typeof root === 'object' ? root : {};
  let current = base as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string | number;
    const next = current[key];
    if (next === null || next === undefined || typeof next !== 'object') current[key] = {};
    current = current[key] as Record<string | number, unknown>;
  }
  current[path[path.length - 1] as string | number] = structuredClone(value);
  return base;
}

function deleteIn(root: unknown, path: YamlPath): void {
  const parent = getIn(root, path.slice(0, -1));
  const key = path[path.length - 1];
  if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
  else if (parent && typeof parent === 'object' && key !== undefined) delete (parent as Record<string | number, unknown>)[key];
}

/**
 * What is wrong with an edited file, or null: it must parse, and carry exactly the intended change (`intents`; null
 * when the caller proves the change otherwise, by rendering again).
 */
export function verifyChange(before: FileModel, after: string, intents: readonly Intent[] | null): string | null {
  const next = fileModel(before.path, after, before.bom, before.template !== null);
  const error = next.docs.flatMap((doc) => doc.errors)[0];
  if (error) return `the result does not parse: ${error.message.split('\n')[0] ?? ''}`;
  if (before.template && next.template && controlBalance(next.template) !== controlBalance(before.template)) {
    return 'the result leaves template blocks unbalanced';
  }
  // A template's data is what it renders: the render is checked again by whoever asked for no data check.
  if (intents === null) return null;
  let expected: unknown[];
  try {
    expected = expectedData(documentData(before), intents);
  } catch (cause) {
    return `the intended change does not apply to the data: ${(cause as Error).message}`;
  }
  const actual = documentData(next);
  if (!isDeepStrictEqual(normalize(actual), normalize(expected))) {
    return `the result does not hold exactly the intended change (expected ${preview(expected)}, got ${preview(actual)})`;
  }
  return null;
}

/** Plain objects compared without caring for key order (YAML maps are unordered). */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value instanceof Map) return normalize(Object.fromEntries(value));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, normalize((value as Record<string, unknown>)[key])]));
  }
  return value;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function controlBalance(template: SanitizedTemplate): number {
  let depth = 0;
  for (const action of template.actions) {
    if (action.kind === 'open') depth++;
    else if (action.kind === 'end') depth--;
  }
  return depth;
}
