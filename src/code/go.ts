import type { Node } from 'web-tree-sitter';
import type { ArgumentShape, FileFacts } from './facts.js';
import { FactsBuilder } from './facts.js';
import type { CredentialRules } from './rules.js';
import { NameScope, resolveApi } from './scope.js';
import type { StringCandidate } from './strings.js';
import { literalValue, recordStrings } from './strings.js';
import { descendants, grammarDialect, namedChildren, positionOf, ScopedValues, walkTree } from './tree-sitter.js';

const functionScopes = new Set(['function_declaration', 'method_declaration', 'func_literal']);

const dialect = grammarDialect((node) => {
  switch (node.type) {
    case 'interpreted_string_literal':
    case 'raw_string_literal':
      return [{ literal: namedChildren(node).map((child) => child.text).join('') }];
    default:
      return null;
  }
});

/** The package name an import path binds by default: its last element, skipping a `/vN` major-version suffix. */
export function defaultPackageName(path: string): string {
  const parts = path.split('/');
  let last = parts[parts.length - 1] ?? path;
  if (/^v\d+$/.test(last) && parts.length > 1) last = parts[parts.length - 2] ?? last;
  return last.replace(/^go-/, '').replace(/\.v\d+$/, '').replace(/[-.]/g, '_');
}

/** The node types the walk stops at (everything else only passes its context on). */
const visited = new Set([
  'comment', 'import_spec', 'const_spec', 'var_spec', 'short_var_declaration', 'assignment_statement',
  'function_declaration', 'type_spec', 'call_expression', 'keyed_element', 'int_literal', 'interpreted_string_literal',
  'raw_string_literal', 'binary_expression', 'parenthesized_expression',
]);

interface Context {
  readonly message: boolean;
  readonly inString: boolean;
}

/**
 * Go: an import path with its local name (the last path element, or the alias; dot imports make members visible
 * unqualified), then `name.Func(...)`. Options passed through a variable are followed to its composite literal and
 * to field assignments on it (`opts.ID = azidentity.ResourceID(...)`) in the same file.
 */
export function analyzeGo(root: Node, rules: CredentialRules): FileFacts {
  const facts = new FactsBuilder('go');
  const scope = new NameScope();
  const assigned = new ScopedValues(functionScopes);
  const strings: Array<StringCandidate<Node>> = [];
  const calls: Node[] = [];

  walkTree<Context>(root, { message: false, inString: false }, (node, context) => {
    switch (node.type) {
      case 'comment':
        return false;
      case 'import_spec': {
        const path = literalValue(node.childForFieldName('path') ?? node, dialect);
        if (path === null) return false;
        const name = node.childForFieldName('name');
        if (name?.type === 'dot') scope.addWildcard([path]);
        else if (name?.type !== 'blank_identifier') scope.bind(name?.text ?? defaultPackageName(path), [path]);
        return false;
      }
      case 'const_spec':
      case 'var_spec': {
        const names = namedChildren(node).filter((child) => child.type === 'identifier');
        const valueList = node.childForFieldName('value');
        const values = valueList ? namedChildren(valueList) : [];
        names.forEach((name, index) => {
          const value = values[index];
          if (value) assigned.define(name.text, value);
        });
        return context;
      }
      case 'short_var_declaration':
      case 'assignment_statement': {
        const left = namedChildren(node.childForFieldName('left') ?? node);
        const right = namedChildren(node.childForFieldName('right') ?? node);
        if (left.length === right.length) {
          left.forEach((target, index) => {
            const value = right[index];
            if (!value) return;
            if (target.type === 'identifier') assigned.define(target.text, value);
            // opts.ID = azidentity.ClientID(x): remember it on `opts`
            else if (target.type === 'selector_expression') {
              const operand = target.childForFieldName('operand');
              if (operand?.type === 'identifier') {
                assigned.add(operand.text, target);
                assigned.add(operand.text, value);
              }
            }
          });
        }
        return context;
      }
      case 'function_declaration':
      case 'type_spec': {
        const name = node.childForFieldName('name')?.text;
        if (name) scope.declare(name);
        return context;
      }
      case 'call_expression': {
        calls.push(node);
        const fn = node.childForFieldName('function');
        const last = fn?.type === 'selector_expression' ? fn.childForFieldName('field')?.text : fn?.text;
        if (fn && node.childForFieldName('arguments')) readEnvironmentCall(node, rules, facts);
        return { message: context.message || (last !== undefined && rules.messageCalls.has(last)), inString: false };
      }
      case 'keyed_element': {
        const key = node.namedChild(0);
        if (key) facts.keys.add(key.text);
        return context;
      }
      case 'int_literal': {
        const value = Number(node.text.replaceAll('_', ''));
        if (Number.isSafeInteger(value)) facts.numbers.add(value);
        return context;
      }
      default:
        break;
    }
    if (dialect.parts(node)) {
      if (!context.inString) strings.push({ node, message: context.message });
      return { message: context.message, inString: true };
    }
    return context;
  }, visited);

  for (const call of calls) {
    const fn = call.childForFieldName('function');
    let path: string[] | null = null;
    if (fn?.type === 'selector_expression') {
      const operand = fn.childForFieldName('operand');
      const field = fn.childForFieldName('field')?.text;
      if (operand?.type === 'identifier' && field) path = [operand.text, field];
    } else if (fn?.type === 'identifier') path = [fn.text];
    if (!path) continue;
    const resolved = resolveApi(rules, 'go', scope, path, { separator: '/', submodules: false, absolute: false });
    if (!resolved) continue;
    facts.sites.push({ at: positionOf(call), rule: resolved.rule, module: resolved.module, ...readArguments(call, assigned) });
  }
  recordStrings(strings, dialect, assigned.constants, facts);
  return facts.build();
}

/** `os.Getenv("X")` / `os.LookupEnv("X")` read; `os.Setenv("X", "v")` sets. */
function readEnvironmentCall(call: Node, rules: CredentialRules, facts: FactsBuilder): void {
  const args = namedChildren(call.childForFieldName('arguments') ?? call);
  const first = args[0];
  const name = first ? literalValue(first, dialect) : null;
  if (!first || name === null || !rules.environment.has(name)) return;
  const fn = call.childForFieldName('function');
  const method = fn?.type === 'selector_expression' ? (fn.childForFieldName('field')?.text ?? '') : (fn?.text ?? '');
  if (/^Set/.test(method)) {
    const value = args[1];
    facts.environment.push({ at: positionOf(first), name, kind: 'set', value: value ? literalValue(value, dialect) : null });
  } else facts.environment.push({ at: positionOf(first), name, kind: 'read', value: null });
}

const selectorNodes = new Set(['keyed_element', 'call_expression', 'selector_expression']);

function selectorsBelow(node: Node): string[] {
  const names: string[] = [];
  for (const found of descendants(node, selectorNodes)) {
    if (found.type === 'keyed_element') {
      const key = found.namedChild(0);
      if (key) names.push(key.text);
    } else if (found.type === 'selector_expression') {
      const field = found.childForFieldName('field')?.text;
      if (field) names.push(field);
    }
  }
  return names;
}

/**
 * The names that may select an identity, and the shape of the options: `nil` or only strings → none (system-assigned
 * or AZURE_CLIENT_ID), a composite literal → options, a variable pod2wi cannot follow → unknown.
 */
function readArguments(call: Node, assigned: ScopedValues): { selectors: string[]; firstArgument: ArgumentShape; port: null } {
  const args = namedChildren(call.childForFieldName('arguments') ?? call).filter((child) => child.type !== 'comment');
  const selectors: string[] = [];
  let shape: ArgumentShape = 'none';
  for (const arg of args) {
    selectors.push(...selectorsBelow(arg));
    const target = arg.type === 'unary_expression' ? arg.childForFieldName('operand') : arg;
    if (!target || target.type === 'nil' || dialect.parts(target)) continue;
    if (target.type === 'composite_literal') {
      if (shape === 'none') shape = 'object';
      continue;
    }
    if (target.type === 'identifier') {
      const values = assigned.lookup(target.text, call);
      if (values.length > 0 && values.every((value) => dialect.parts(value) !== null)) continue;
      if (values.length > 0) {
        for (const value of values) selectors.push(...selectorsBelow(value));
        if (shape === 'none') shape = 'object';
        continue;
      }
    }
    if (target.type === 'call_expression' && /Getenv$/.test(target.childForFieldName('function')?.text ?? '')) continue;
    shape = 'unknown';
  }
  return { selectors, firstArgument: shape, port: null };
}
