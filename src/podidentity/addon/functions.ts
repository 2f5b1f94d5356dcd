import { isMap, isSeq, unknownsOf, type Origin, type RNode, type RPair, type ScalarPart } from '../../k8s/rendered.js';
import { joinParts, partsOf, unknownNode } from './collect.js';

/**
 * The template functions ARM and Bicep share that matter for reading names, namespaces and IDs
 * (learn.microsoft.com/azure/azure-resource-manager/templates/template-functions): string building (`concat`,
 * `format`, `toLower`, `toUpper`, `string`), `resourceId`, `union`, `coalesce`, `createArray`, `createObject`, `if`,
 * `equals`, `not`, `and`, `or`, `empty`. Everything else (`reference`, `uniqueString`, `resourceGroup()`, ...) is known
 * only at deployment; callers turn it into an unknown with the expression as written.
 */

/** A value known in full: a string, number, boolean, null, or a list or map of known values. */
export type Plain = string | number | boolean | null | readonly Plain[] | { readonly [key: string]: Plain };

/** The value of a node when every part of it is known, else undefined. */
export function plainOf(node: RNode): Plain | undefined {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'unknown':
      return undefined;
    case 'seq': {
      if ((node.unknowns ?? []).length > 0) return undefined;
      const items: Plain[] = [];
      for (const item of node.items) {
        const value = plainOf(item);
        if (value === undefined) return undefined;
        items.push(value);
      }
      return items;
    }
    case 'map': {
      if ((node.unknowns ?? []).length > 0) return undefined;
      const out: Record<string, Plain> = {};
      for (const pair of node.pairs) {
        const value = plainOf(pair.value);
        if (value === undefined) return undefined;
        out[pair.key.toLowerCase()] = value;
      }
      return out;
    }
  }
}

function scalar(value: string | number | boolean | null, origin: Origin, via: string): RNode {
  return { kind: 'scalar', value, origin: { ...origin, span: null, via } };
}

/** The text of a scalar as ARM's `string()` gives it; null for maps and lists. */
function textParts(node: RNode): ScalarPart[] | null {
  if (node.kind === 'scalar' && typeof node.value === 'boolean') return [{ text: node.value ? 'True' : 'False', origin: node.origin }];
  return partsOf(node);
}

function equal(a: Plain, b: Plain): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Calls a shared function on evaluated arguments. Returns null when the function is not one of them (the caller
 * decides what an unsupported function means); returns an unknown when the function is known but an argument it
 * needs is not.
 */
export function callFunction(name: string, args: readonly RNode[], origin: Origin, expression: string): RNode | null {
  const via = `${name}()`;
  const unknown = (reason: string): RNode => unknownNode(expression, reason, origin);
  switch (name.toLowerCase()) {
    case 'concat': {
      if (args.length > 0 && args.every((arg) => isSeq(arg))) {
        const items = args.flatMap((arg) => (isSeq(arg) ? arg.items : []));
        const unknowns = args.flatMap((arg) => (isSeq(arg) ? (arg.unknowns ?? []) : []));
        return unknowns.length > 0 ? { kind: 'seq', items, origin: { ...origin, span: null, via }, unknowns } : { kind: 'seq', items, origin: { ...origin, span: null, via } };
      }
      const parts: ScalarPart[] = [];
      for (const arg of args) {
        const own = textParts(arg);
        if (!own) return unknown('concat() of a value that is not text');
        parts.push(...own);
      }
      return joinParts(parts, origin, via);
    }
    case 'format': {
      const [template, ...rest] = args;
      const text = template?.kind === 'scalar' && typeof template.value === 'string' ? template.value : null;
      if (text === null) return unknown('the format string is not known');
      const parts: ScalarPart[] = [];
      let literal = '';
      for (let i = 0; i < text.length; i++) {
        const c = text[i] ?? '';
        if ((c === '{' && text[i + 1] === '{') || (c === '}' && text[i + 1] === '}')) {
          literal += c;
          i++;
          continue;
        }
        if (c === '{') {
          const close = text.indexOf('}', i);
          const index = close > i ? Number(text.slice(i + 1, close).split(':')[0]) : Number.NaN;
          const arg = Number.isInteger(index) ? rest[index] : undefined;
          const own = arg ? textParts(arg) : null;
          if (!own) return unknown(`format() placeholder ${text.slice(i, close + 1)} has no text argument`);
          if (literal) parts.push({ text: literal, origin: { ...origin, span: null, via } });
          literal = '';
          parts.push(...own);
          i = close;
          continue;
        }
        literal += c;
      }
      if (literal) parts.push({ text: literal, origin: { ...origin, span: null, via } });
      return joinParts(parts, origin, via);
    }
    case 'tolower':
    case 'toupper': {
      const [arg] = args;
      if (arg?.kind === 'scalar' && typeof arg.value === 'string') return scalar(name.toLowerCase() === 'tolower' ? arg.value.toLowerCase() : arg.value.toUpperCase(), arg.origin, via);
      return unknown(`${name}() of a value not known from the repository`);
    }
    case 'string': {
      const [arg] = args;
      if (!arg) return null;
      const own = textParts(arg);
      if (own) return joinParts(own, origin, via);
      const plain = plainOf(arg);
      return plain === undefined ? unknown('string() of a value not known from the repository') : scalar(JSON.stringify(plain), origin, via);
    }
    case 'resourceid':
      return resourceId(args, origin, expression);
    case 'union': {
      if (args.length > 0 && args.every((arg) => isMap(arg))) {
        const pairs = new Map<string, RPair>();
        const unknowns = args.flatMap((arg) => (isMap(arg) ? (arg.unknowns ?? []) : []));
        for (const arg of args) if (isMap(arg)) for (const pair of arg.pairs) pairs.set(pair.key.toLowerCase(), pair);
        const merged = [...pairs.values()];
        return unknowns.length > 0 ? { kind: 'map', pairs: merged, origin: { ...origin, span: null, via }, unknowns } : { kind: 'map', pairs: merged, origin: { ...origin, span: null, via } };
      }
      return null;
    }
    case 'coalesce': {
      for (const arg of args) {
        if (arg.kind === 'unknown') return unknown('coalesce() of a value not known from the repository');
        if (!(arg.kind === 'scalar' && arg.value === null)) return arg;
      }
      return scalar(null, origin, via);
    }
    case 'createarray':
      return { kind: 'seq', items: [...args], origin: { ...origin, span: null, via } };
    case 'createobject': {
      const pairs: RPair[] = [];
      for (let i = 0; i + 1 < args.length; i += 2) {
        const key = args[i];
        const value = args[i + 1];
        if (key?.kind !== 'scalar' || typeof key.value !== 'string' || !value) return unknown('createObject() with a key not known from the repository');
        pairs.push({ key: key.value, keyOrigin: key.origin, value });
      }
      return { kind: 'map', pairs, origin: { ...origin, span: null, via } };
    }
    case 'true':
      return scalar(true, origin, via);
    case 'false':
      return scalar(false, origin, via);
    case 'null':
      return scalar(null, origin, via);
    case 'if': {
      const [condition, whenTrue, whenFalse] = args;
      if (condition?.kind === 'scalar' && typeof condition.value === 'boolean') return (condition.value ? whenTrue : whenFalse) ?? null;
      return unknown('if() on a condition not known from the repository');
    }
    case 'equals': {
      const [a, b] = args;
      const left = a ? plainOf(a) : undefined;
      const right = b ? plainOf(b) : undefined;
      if (left === undefined || right === undefined) return unknown('equals() of a value not known from the repository');
      return scalar(equal(left, right), origin, via);
    }
    case 'not': {
      const [a] = args;
      return a?.kind === 'scalar' && typeof a.value === 'boolean' ? scalar(!a.value, origin, via) : unknown('not() of a value not known from the repository');
    }
    case 'and':
    case 'or': {
      const values = args.map((arg) => (arg.kind === 'scalar' && typeof arg.value === 'boolean' ? arg.value : null));
      if (values.some((value) => value === null)) return unknown(`${name}() of a value not known from the repository`);
      return scalar(name.toLowerCase() === 'and' ? values.every(Boolean) : values.some(Boolean), origin, via);
    }
    case 'empty': {
      const [a] = args;
      const value = a ? plainOf(a) : undefined;
      if (value === undefined) return unknown('empty() of a value not known from the repository');
      const isEmpty = value === null || value === '' || (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0);
      return scalar(isEmpty, origin, via);
    }
    default:
      return null;
  }
}

/**
 * `resourceId([subscriptionId], [resourceGroupName], resourceType, name1, [name2], ...)`: the type is the first argument
 * whose text holds a `/`; the subscription and group left out are the deployment's, kept unknown.
 */
function resourceId(args: readonly RNode[], origin: Origin, expression: string): RNode {
  const via = 'resourceId()';
  const typeIndex = args.findIndex((arg) => arg.kind === 'scalar' && typeof arg.value === 'string' && arg.value.includes('/'));
  if (typeIndex < 0 || typeIndex > 2) return unknownNode(expression, 'resourceId() with a resource type not known from the repository', origin);
  const typeNode = args[typeIndex];
  const type = typeNode?.kind === 'scalar' ? String(typeNode.value) : '';
  const [namespace = '', ...types] = type.split('/');
  const names = args.slice(typeIndex + 1);
  const deployment = (what: string, reason: string): ScalarPart => ({ unknown: { expression: what, reason, origin } });
  const subscription = typeIndex === 2 ? args[0] : undefined;
  const group = typeIndex >= 1 ? args[typeIndex - 1] : undefined;
  const parts: ScalarPart[] = [{ text: '/subscriptions/', origin: { ...origin, span: null, via } }];
  const push = (node: RNode | undefined, fallback: ScalarPart): boolean => {
    if (!node) {
      parts.push(fallback);
      return true;
    }
    const own = partsOf(node);
    if (!own) return false;
    parts.push(...own);
    return true;
  };
  if (!push(subscription, deployment('subscription().subscriptionId', 'the subscription the template is deployed to'))) return unknownNode(expression, 'resourceId() of a value that is not text', origin);
  parts.push({ text: '/resourceGroups/', origin: { ...origin, span: null, via } });
  if (!push(group, deployment('resourceGroup().name', 'the resource group the template is deployed to'))) return unknownNode(expression, 'resourceId() of a value that is not text', origin);
  parts.push({ text: `/providers/${namespace}`, origin: { ...origin, span: null, via } });
  for (let i = 0; i < Math.max(types.length, names.length); i++) {
    parts.push({ text: `/${types[i] ?? ''}/`, origin: { ...origin, span: null, via } });
    const name = names[i];
    if (!name || !push(name, deployment(expression, 'a resource name not given'))) return unknownNode(expression, 'resourceId() with a name that is not text', origin);
  }
  return joinParts(parts, origin, via);
}

/** Whether any part of a node is unknown. */
export function hasUnknown(node: RNode): boolean {
  return unknownsOf(node).length > 0;
}
