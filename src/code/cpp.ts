import type { Node } from 'web-tree-sitter';
import type { ArgumentShape, FileFacts } from './facts.js';
import { FactsBuilder } from './facts.js';
import type { CredentialRules } from './rules.js';
import { NameScope, resolveApi } from './scope.js';
import type { StringCandidate } from './strings.js';
import { literalValue, recordStrings } from './strings.js';
import { descendants, grammarDialect, namedChildren, positionOf, ScopedValues, walkTree } from './tree-sitter.js';

const functionScopes = new Set(['function_definition', 'lambda_expression']);

/** `Azure::Identity::X`, `::Azure::Identity::X`, `ai::X`, `Identity::X<T>` → the written path. */
function qualifiedPath(node: Node | null): string[] | null {
  if (!node) return null;
  switch (node.type) {
    case 'identifier':
    case 'type_identifier':
    case 'namespace_identifier':
    case 'field_identifier':
      return [node.text];
    case 'template_type':
    case 'template_function':
      return qualifiedPath(node.childForFieldName('name'));
    case 'qualified_identifier': {
      const scope = node.childForFieldName('scope');
      const name = qualifiedPath(node.childForFieldName('name'));
      if (!name) return null;
      if (!scope) return name; // ::Azure::Identity::X
      const head = qualifiedPath(scope);
      return head ? [...head, ...name] : null;
    }
    case 'nested_namespace_specifier':
      return namedChildren(node).map((part) => part.text);
    default:
      return null;
  }
}

/** A `#define NAME "text"` value, read as a string literal. */
function defineLiteral(node: Node): string | null {
  const match = /^\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(node.text);
  return match ? (match[1] ?? '') : null;
}

const dialect = grammarDialect((node) => {
  switch (node.type) {
    case 'string_literal':
      return [{ literal: namedChildren(node).map((child) => child.text).join('') }];
    case 'raw_string_literal':
      return [{ literal: namedChildren(node).filter((child) => child.type === 'raw_string_content').map((child) => child.text).join('') }];
    case 'preproc_arg': {
      const literal = defineLiteral(node);
      return literal === null ? null : [{ literal }];
    }
    case 'concatenated_string':
      return namedChildren(node).map((operand) => ({ operand }));
    case 'call_expression': {
      // std::string("...") and std::string(CONSTANT) are the string they wrap
      const fn = qualifiedPath(node.childForFieldName('function'));
      const args = namedChildren(node.childForFieldName('arguments') ?? node);
      const [only] = args;
      if (fn?.join('::') !== 'std::string' || args.length !== 1 || !only) return null;
      return [{ operand: only }];
    }
    default:
      return null;
  }
});

/** The node types the walk stops at (everything else only passes its context on). */
const visited = new Set([
  'comment', 'preproc_include', 'preproc_def', 'using_declaration', 'namespace_alias_definition', 'class_specifier',
  'struct_specifier', 'declaration', 'assignment_expression', 'new_expression', 'compound_literal_expression',
  'call_expression', 'binary_expression', 'number_literal', 'string_literal', 'raw_string_literal', 'preproc_arg',
  'concatenated_string', 'parenthesized_expression',
]);

interface Context {
  readonly message: boolean;
  readonly inString: boolean;
}

/** The construction or call of a possibly-credential type, with the node holding its arguments. */
interface Construction {
  readonly at: Node;
  readonly type: Node | null;
  readonly args: Node | null;
}

/**
 * C++: a name resolves to Azure Identity when it is written qualified (`Azure::Identity::X`, `::Azure::Identity::X`,
 * through `namespace ai = Azure::Identity;`), or unqualified after `using namespace Azure::Identity;`,
 * `using Azure::Identity::X;`, or in a file that includes an `azure/identity` header. A class the file declares
 * itself hides the library's. Constructions: `new X(...)`, `X(...)`, `X{...}`, `X name(...)`, `X name;`,
 * `std::make_shared<X>(...)` / `std::make_unique<X>(...)`.
 */
export function analyzeCpp(root: Node, rules: CredentialRules): FileFacts {
  const facts = new FactsBuilder('cpp');
  const scope = new NameScope();
  const assigned = new ScopedValues(functionScopes);
  const strings: Array<StringCandidate<Node>> = [];
  const constructions: Construction[] = [];
  const remember = (name: string, value: Node): void => assigned.define(name, value);

  walkTree<Context>(root, { message: false, inString: false }, (node, context) => {
    switch (node.type) {
      case 'comment':
        return false;
      case 'preproc_include': {
        const path = node.childForFieldName('path')?.text ?? '';
        if (/^[<"]azure\/identity[/.]/.test(path)) scope.addWildcard(['Azure', 'Identity']);
        return false;
      }
      case 'preproc_def': {
        const name = node.childForFieldName('name')?.text;
        const value = node.childForFieldName('value');
        if (name && value) remember(name, value);
        return false;
      }
      case 'using_declaration': {
        const target = namedChildren(node).find((child) => child.type === 'qualified_identifier' || child.type === 'identifier');
        const path = qualifiedPath(target ?? null);
        if (!path) return false;
        if (node.children.some((child) => child?.type === 'namespace')) scope.addWildcard(path);
        else scope.bind(path[path.length - 1] ?? '', path);
        return false;
      }
      case 'namespace_alias_definition': {
        const nameNode = node.childForFieldName('name');
        const target = namedChildren(node).find(
          (child) => child.id !== nameNode?.id && (child.type === 'nested_namespace_specifier' || child.type === 'namespace_identifier' || child.type === 'qualified_identifier'),
        );
        const path = qualifiedPath(target ?? null);
        if (nameNode && path) scope.bind(nameNode.text, path);
        return false;
      }
      case 'class_specifier':
      case 'struct_specifier': {
        const name = node.childForFieldName('name');
        if (name && node.childForFieldName('body')) scope.declare(name.text);
        return context;
      }
      case 'declaration':
        readDeclaration(node, constructions, remember);
        return context;
      case 'assignment_expression': {
        // options.IdentityId = ManagedIdentityId::FromUserAssignedResourceId(...): remember it on `options`
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const base = left?.type === 'field_expression' ? left.childForFieldName('argument') : left;
        if (base?.type === 'identifier' && right) remember(base.text, node);
        return context;
      }
      case 'new_expression':
        constructions.push({ at: node, type: node.childForFieldName('type'), args: node.childForFieldName('arguments') });
        return { message: context.message, inString: false };
      case 'compound_literal_expression':
        constructions.push({ at: node, type: node.childForFieldName('type'), args: node.childForFieldName('value') });
        return context;
      case 'call_expression': {
        const fn = node.childForFieldName('function');
        const path = qualifiedPath(fn);
        const last = path?.at(-1);
        if (fn?.type === 'template_function' || (fn?.type === 'qualified_identifier' && fn.childForFieldName('name')?.type === 'template_function')) {
          // std::make_shared<Azure::Identity::X>(args)
          const template = fn.type === 'template_function' ? fn : fn.childForFieldName('name');
          const type = namedChildren(template?.childForFieldName('arguments') ?? node).find((child) => child.type === 'type_descriptor')?.childForFieldName('type');
          if (last && /^make_(shared|unique)$/.test(last) && type) constructions.push({ at: node, type, args: node.childForFieldName('arguments') });
        } else constructions.push({ at: node, type: fn, args: node.childForFieldName('arguments') });
        readEnvironmentCall(node, rules, facts);
        if (dialect.parts(node)) break;
        return { message: context.message || (last !== undefined && rules.messageCalls.has(last)), inString: false };
      }
      case 'binary_expression': {
        if (node.childForFieldName('operator')?.type === '<<' && /\b(cout|cerr|clog)$/.test(leftmost(node).text)) return { message: true, inString: context.inString };
        break;
      }
      case 'number_literal': {
        const value = Number(node.text.replace(/[uUlL']/g, ''));
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

  for (const construction of constructions) {
    const path = qualifiedPath(construction.type);
    if (!path) continue;
    const resolved = resolveApi(rules, 'cpp', scope, path, { separator: '::', submodules: false, absolute: true });
    if (!resolved) continue;
    facts.sites.push({ at: positionOf(construction.at), rule: resolved.rule, module: resolved.module, ...readArguments(construction.args, assigned) });
  }
  recordStrings(strings, dialect, assigned.constants, facts);
  return facts.build();
}

/** `m_clientId`, `_clientId`, `ClientId` → `clientId`, so a member name hints like a parameter name does. */
function normaliseName(name: string): string {
  const bare = name.replace(/^(m_|_)/, '').replace(/_$/, '');
  return bare.charAt(0).toLowerCase() + bare.slice(1);
}

function leftmost(node: Node): Node {
  let current = node;
  while (current.type === 'binary_expression') {
    const left = current.childForFieldName('left');
    if (!left) break;
    current = left;
  }
  return current;
}

/** `X name(args);`, `X name{args};`, `X name;`, `X name = value;` and `auto name = value;` declarations. */
function readDeclaration(node: Node, constructions: Construction[], remember: (name: string, value: Node) => void): void {
  const type = node.childForFieldName('type');
  for (const declarator of node.childrenForFieldName('declarator')) {
    if (!declarator) continue;
    if (declarator.type === 'init_declarator') {
      const inner = declarator.childForFieldName('declarator');
      const value = declarator.childForFieldName('value');
      const name = innermostName(inner);
      if (value?.type === 'argument_list' || value?.type === 'initializer_list') constructions.push({ at: declarator, type, args: value });
      else if (name && value) remember(name, value);
    } else if (declarator.type === 'function_declarator') {
      // the most vexing parse: `X cred(clientId);` reads as a function declaration
      constructions.push({ at: declarator, type, args: declarator.childForFieldName('parameters') });
    } else if (declarator.type === 'identifier') {
      constructions.push({ at: declarator, type, args: null });
    }
  }
}

function innermostName(node: Node | null): string | null {
  let current = node;
  while (current && current.type !== 'identifier') current = current.childForFieldName('declarator');
  return current?.text ?? null;
}

/** `std::getenv("X")`, `getenv("X")`, `Environment::GetVariable("X")` read; `setenv("X", "v", 1)`, `_putenv_s` set. */
function readEnvironmentCall(call: Node, rules: CredentialRules, facts: FactsBuilder): void {
  const args = namedChildren(call.childForFieldName('arguments') ?? call);
  const first = args[0];
  if (!first) return;
  const text = literalValue(first, dialect);
  if (text === null) return;
  const method = qualifiedPath(call.childForFieldName('function'))?.at(-1) ?? '';
  const [name, inline] = /^(set|put|_put)/i.test(method) && text.includes('=') ? text.split('=', 2) : [text, undefined];
  if (name === undefined || !rules.environment.has(name)) return;
  if (/^(set|put|_put)/i.test(method)) {
    const value = inline ?? (args[1] ? literalValue(args[1], dialect) : null);
    facts.environment.push({ at: positionOf(first), name, kind: 'set', value });
  } else facts.environment.push({ at: positionOf(first), name, kind: 'read', value: null });
}

const selectorNodes = new Set(['qualified_identifier', 'field_expression', 'identifier']);

function selectorsBelow(node: Node): string[] {
  const names: string[] = [];
  for (const found of descendants(node, selectorNodes)) {
    if (found.type === 'qualified_identifier') {
      const last = qualifiedPath(found)?.at(-1);
      if (last) names.push(last);
    } else if (found.type === 'field_expression') {
      const field = found.childForFieldName('field')?.text;
      if (field) names.push(field);
    } else names.push(found.text);
  }
  return names;
}

function readArguments(args: Node | null, assigned: ScopedValues): { selectors: string[]; firstArgument: ArgumentShape; port: null } {
  const list = args ? namedChildren(args).filter((child) => child.type !== 'comment') : [];
  const selectors: string[] = [];
  for (const arg of list) {
    selectors.push(...selectorsBelow(arg));
    const name = arg.type === 'parameter_declaration' ? arg.childForFieldName('type')?.text : arg.type === 'identifier' ? arg.text : undefined;
    if (name) selectors.push(normaliseName(name));
    for (const value of name ? assigned.lookup(name, arg) : []) selectors.push(...selectorsBelow(value));
  }
  const first = list[0];
  let firstArgument: ArgumentShape = 'none';
  if (first) {
    const name = first.type === 'parameter_declaration' ? first.childForFieldName('type')?.text : first.type === 'identifier' ? first.text : undefined;
    const values = name ? assigned.lookup(name, first) : [];
    if (dialect.parts(first) || values.some((value) => dialect.parts(value))) firstArgument = 'string';
    else if (values.length > 0) firstArgument = 'object';
    else firstArgument = 'unknown';
  }
  return { selectors, firstArgument, port: null };
}
