import type { Node } from 'web-tree-sitter';
import type { ArgumentShape, FileFacts } from './facts.js';
import { FactsBuilder } from './facts.js';
import { bareScopeUse, runtimeScopeUse, type CredentialRules } from './rules.js';
import { NameScope, resolveApi } from './scope.js';
import type { StringCandidate, StringDialect, StringPart } from './strings.js';
import { literalValue, recordStrings } from './strings.js';
import { descendants, namedChildren, positionOf, ScopedValues, walkTree } from './tree-sitter.js';

const functionScopes = new Set(['function_definition', 'lambda']);

const dialect: StringDialect<Node> = {
  parts(node) {
    switch (node.type) {
      case 'string': {
        const parts: Array<StringPart<Node>> = [];
        for (const child of namedChildren(node)) {
          if (child.type === 'string_content') parts.push({ literal: child.text });
          else if (child.type === 'interpolation') {
            const expression = child.childForFieldName('expression');
            parts.push(expression ? { operand: expression } : { hole: true });
          }
        }
        return parts;
      }
      case 'concatenated_string':
        return namedChildren(node).map((operand) => ({ operand }));
      case 'parenthesized_expression': {
        const inner = node.namedChild(0);
        return inner && isStringish(inner) ? [{ operand: inner }] : null;
      }
      case 'binary_operator': {
        const operator = node.childForFieldName('operator')?.type;
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (!left || !right) return null;
        if (operator === '+') return [{ operand: left }, { operand: right }];
        if (operator === '%' && isStringish(left)) return [{ operand: left }, { hole: true }];
        return null;
      }
      case 'call': {
        // "http://{}/metadata/...".format(host)
        const fn = node.childForFieldName('function');
        const object = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
        if (fn?.childForFieldName('attribute')?.text === 'format' && object && isStringish(object)) return [{ operand: object }, { hole: true }];
        return null;
      }
      default:
        return null;
    }
  },
  name(node) {
    return node.type === 'identifier' ? node.text : null;
  },
  position: positionOf,
};

function isStringish(node: Node): boolean {
  return node.type === 'string' || node.type === 'concatenated_string' || node.type === 'binary_operator';
}

/** Dotted path of a callee: `a.b.C` → [a, b, C]; null for anything else (calls on call results, subscripts). */
/** Literal positional scopes of a token call (`credential.get_token("…", "…")`) that are bare resources. */
function readScopes(call: Node, api: string, facts: FactsBuilder): void {
  const list = call.childForFieldName('arguments');
  for (const argument of list ? namedChildren(list) : []) {
    if (argument.type === 'identifier' || argument.type === 'attribute') {
      const use = runtimeScopeUse(positionOf(argument), api, argument.text);
      if (use) facts.direct.push(use);
      continue;
    }
    if (argument.type !== 'string') continue;
    const value = literalValue(argument, dialect);
    const use = value === null ? null : bareScopeUse(positionOf(argument), api, value);
    if (use) facts.direct.push(use);
  }
}

function dottedPath(node: Node): string[] | null {
  if (node.type === 'identifier') return [node.text];
  if (node.type === 'attribute') {
    const object = node.childForFieldName('object');
    const attribute = node.childForFieldName('attribute');
    if (!object || !attribute) return null;
    const head = dottedPath(object);
    return head ? [...head, attribute.text] : null;
  }
  return null;
}

function dottedName(node: Node | null): string[] | null {
  if (!node || node.type !== 'dotted_name') return null;
  return namedChildren(node).map((part) => part.text);
}

/** The node types the walk stops at (everything else only passes its context on). */
const visited = new Set([
  'comment', 'import_statement', 'import_from_statement', 'class_definition', 'function_definition', 'assignment',
  'integer', 'keyword_argument', 'pair', 'call', 'string', 'concatenated_string', 'parenthesized_expression',
  'binary_operator',
]);

interface Context {
  readonly message: boolean;
  readonly inString: boolean;
}

/**
 * Python: `import azure.identity [as ai]`, `from azure.identity[.aio] import ManagedIdentityCredential [as MIC]`,
 * `from azure import identity`, `from m import *`; a class or function of the same name defined in the file hides
 * the import. Calls resolve through those names only; relative imports are the application's own modules.
 */
export function analyzePython(root: Node, rules: CredentialRules): FileFacts {
  const facts = new FactsBuilder('python');
  const scope = new NameScope();
  const assigned = new ScopedValues(functionScopes);
  const strings: Array<StringCandidate<Node>> = [];
  const calls: Node[] = [];
  const optionsTable = rules.options.get('python');
  const imported: string[] = [];

  walkTree<Context>(root, { message: false, inString: false }, (node, context) => {
    switch (node.type) {
      case 'comment':
        return false;
      case 'import_statement':
        readImport(node, scope);
        imported.push(...descendants(node, new Set(['dotted_name'])).map((name) => name.text));
        return false;
      case 'import_from_statement':
        readFromImport(node, scope);
        if (node.childForFieldName('module_name')) imported.push(node.childForFieldName('module_name')?.text ?? '');
        return false;
      case 'class_definition':
      case 'function_definition': {
        const name = node.childForFieldName('name');
        if (name) scope.declare(name.text);
        return context;
      }
      case 'assignment': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (left?.type === 'identifier' && right) {
          assigned.define(left.text, right, node);
        }
        return context;
      }
      case 'integer': {
        const value = Number(node.text.replaceAll('_', ''));
        if (Number.isSafeInteger(value)) facts.numbers.add(value);
        return context;
      }
      case 'keyword_argument': {
        const name = node.childForFieldName('name')?.text;
        if (name) {
          facts.keys.add(name);
          const option = optionsTable?.get(name);
          const value = node.childForFieldName('value');
          if (option) facts.options.push({ at: positionOf(node), rule: option, value: value?.text === 'True' ? 'true' : value?.text === 'False' ? 'false' : 'other' });
        }
        return context;
      }
      case 'pair': {
        const key = node.childForFieldName('key');
        const text = key ? literalValue(key, dialect) : null;
        if (text !== null) facts.keys.add(text);
        return context;
      }
      case 'call': {
        calls.push(node);
        const path = dottedPath(node.childForFieldName('function') ?? node);
        const last = path?.[path.length - 1];
        const message = context.message || (last !== undefined && rules.messageCalls.has(last));
        const formatted = last === 'format' && dialect.parts(node) !== null;
        if (formatted && !context.inString) strings.push({ node, message });
        return { message, inString: formatted };
      }
      default:
        break;
    }
    if (node.type === 'string') readEnvironment(node, rules, facts);
    if (dialect.parts(node)) {
      if (!context.inString) strings.push({ node, message: context.message });
      return { message: context.message, inString: true };
    }
    return context;
  }, visited);

  const scopeRules = rules.tokenScopes.get('python');
  for (const call of calls) {
    const callee = call.childForFieldName('function');
    if (scopeRules && callee?.type === 'attribute') {
      const rule = scopeRules.get(callee.childForFieldName('attribute')?.text ?? '');
      if (rule && imported.some((module) => module.startsWith(rule.module))) readScopes(call, rule.name, facts);
    }
  }
  for (const call of calls) {
    const path = dottedPath(call.childForFieldName('function') ?? call);
    if (!path) continue;
    const resolved = resolveApi(rules, 'python', scope, path, { separator: '.', submodules: true, absolute: false });
    if (!resolved) continue;
    facts.sites.push({ at: positionOf(call), rule: resolved.rule, module: resolved.module, ...readArguments(call, assigned, rules) });
  }
  recordStrings(strings, dialect, assigned.constants, facts);
  return facts.build();
}

function readImport(node: Node, scope: NameScope): void {
  for (const child of namedChildren(node)) {
    if (child.type === 'dotted_name') {
      const path = dottedName(child);
      const head = path?.[0];
      if (head) scope.bind(head, [head]);
    } else if (child.type === 'aliased_import') {
      const path = dottedName(child.childForFieldName('name'));
      const alias = child.childForFieldName('alias')?.text;
      if (path && alias) scope.bind(alias, path);
    }
  }
}

function readFromImport(node: Node, scope: NameScope): void {
  const module = dottedName(node.childForFieldName('module_name'));
  if (!module) return; // relative import: not a library
  for (const child of namedChildren(node)) {
    if (child === node.childForFieldName('module_name')) continue;
    if (child.type === 'wildcard_import') scope.addWildcard(module);
    else if (child.type === 'dotted_name') {
      const path = dottedName(child);
      const head = path?.[0];
      if (path && head) scope.bind(path[path.length - 1] ?? head, [...module, ...path]);
    } else if (child.type === 'aliased_import') {
      const path = dottedName(child.childForFieldName('name'));
      const alias = child.childForFieldName('alias')?.text;
      if (path && alias) scope.bind(alias, [...module, ...path]);
    }
  }
}

/** `os.environ["X"]`, `os.environ.get("X")`, `os.getenv("X")` read; `os.environ["X"] = v`, `setdefault`, `putenv` set. */
function readEnvironment(node: Node, rules: CredentialRules, facts: FactsBuilder): void {
  const name = literalValue(node, dialect);
  if (name === null || !rules.environment.has(name)) return;
  const parent = node.parent;
  if (parent?.type === 'subscript' && parent.childForFieldName('subscript')?.id === node.id) {
    const assignment = parent.parent;
    if (assignment?.type === 'assignment' && assignment.childForFieldName('left')?.id === parent.id) {
      const right = assignment.childForFieldName('right');
      facts.environment.push({ at: positionOf(node), name, kind: 'set', value: right ? literalValue(right, dialect) : null });
      return;
    }
  }
  if (parent?.type === 'argument_list' && parent.parent?.type === 'call') {
    const path = dottedPath(parent.parent.childForFieldName('function') ?? parent.parent);
    const last = path?.[path.length - 1] ?? '';
    const args = namedChildren(parent);
    if (/^(set|put)/i.test(last) && args[0]?.id === node.id) {
      const value = args[1];
      facts.environment.push({ at: positionOf(node), name, kind: 'set', value: value ? literalValue(value, dialect) : null });
      return;
    }
  }
  facts.environment.push({ at: positionOf(node), name, kind: 'read', value: null });
}

const dictionaryKeys = new Set(['pair', 'keyword_argument']);

/** Keyword names and dictionary keys (`identity_config={"mi_res_id": ...}`) below a node. */
function keysBelow(node: Node): string[] {
  const keys: string[] = [];
  for (const found of descendants(node, dictionaryKeys)) {
    if (found.type === 'keyword_argument') {
      const name = found.childForFieldName('name')?.text;
      if (name) keys.push(name);
    } else {
      const key = found.childForFieldName('key');
      const text = key ? literalValue(key, dialect) : null;
      if (text !== null) keys.push(text);
    }
  }
  return keys;
}

function readArguments(
  call: Node,
  assigned: ScopedValues,
  rules: CredentialRules,
): { selectors: string[]; firstArgument: ArgumentShape; port: 'legacy-literal' | 'option' | null } {
  const list = call.childForFieldName('arguments');
  const args = list ? namedChildren(list).filter((arg) => arg.type !== 'comment') : [];
  const selectors: string[] = [];
  let port: 'legacy-literal' | 'option' | null = null;
  let unknown = false;
  for (const arg of args) {
    selectors.push(...keysBelow(arg));
    if (arg.type === 'keyword_argument' && arg.childForFieldName('name')?.text === 'port') port ??= 'option';
    for (const number of descendants(arg, new Set(['integer']))) if (Number(number.text) === rules.endpoints.legacyExtensionPort) port = 'legacy-literal';
    const target = arg.type === 'dictionary_splat' ? arg.namedChild(0) : arg.type === 'keyword_argument' ? arg.childForFieldName('value') : arg;
    if (target?.type === 'identifier') {
      const values = assigned.lookup(target.text, call);
      for (const value of values) selectors.push(...keysBelow(value));
      if (values.length === 0 && arg.type === 'dictionary_splat') unknown = true;
    }
  }
  const first = args[0];
  let firstArgument: ArgumentShape = 'none';
  if (unknown) firstArgument = 'unknown';
  else if (first) {
    if (first.type === 'keyword_argument' || first.type === 'dictionary_splat') firstArgument = 'object';
    else if (dialect.parts(first)) firstArgument = 'string';
    else firstArgument = 'unknown';
  }
  return { selectors, firstArgument, port };
}
