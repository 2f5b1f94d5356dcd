import type { Node } from 'web-tree-sitter';
import type { ArgumentShape, FileFacts } from './facts.js';
import { FactsBuilder } from './facts.js';
import type { CredentialRules } from './rules.js';
import { NameScope, resolveApi } from './scope.js';
import type { StringCandidate } from './strings.js';
import { literalValue, recordStrings } from './strings.js';
import { descendants, grammarDialect, namedChildren, positionOf, ScopedValues, walkTree } from './tree-sitter.js';

const functionScopes = new Set(['method_declaration', 'constructor_declaration', 'lambda_expression']);

/** `com.azure.identity.X` as written in imports and qualified names (scoped identifiers and scoped type names). */
function scopedPath(node: Node | null): string[] | null {
  if (!node) return null;
  switch (node.type) {
    case 'identifier':
    case 'type_identifier':
      return [node.text];
    case 'generic_type':
      return scopedPath(node.namedChild(0));
    case 'scoped_identifier': {
      const head = scopedPath(node.childForFieldName('scope'));
      const name = node.childForFieldName('name')?.text;
      return head && name ? [...head, name] : null;
    }
    case 'scoped_type_identifier': {
      const parts = namedChildren(node);
      const path: string[] = [];
      for (const part of parts) {
        const inner = scopedPath(part);
        if (!inner) return null;
        path.push(...inner);
      }
      return path;
    }
    case 'field_access': {
      const head = scopedPath(node.childForFieldName('object'));
      const name = node.childForFieldName('field')?.text;
      return head && name ? [...head, name] : null;
    }
    default:
      return null;
  }
}

const dialect = grammarDialect((node) => {
  switch (node.type) {
    case 'string_literal':
      return [{ literal: namedChildren(node).map((child) => child.text).join('') }];
    default:
      return null;
  }
});

/** The node types the walk stops at (everything else only passes its context on). */
const visited = new Set([
  'line_comment', 'block_comment', 'import_declaration', 'variable_declarator', 'object_creation_expression',
  'method_invocation', 'decimal_integer_literal', 'class_declaration', 'interface_declaration', 'enum_declaration',
  'record_declaration', 'string_literal', 'binary_expression', 'parenthesized_expression',
]);

interface Context {
  readonly message: boolean;
  readonly inString: boolean;
}

const typeDeclarations = new Set(['class_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration']);

/**
 * Java: single-type imports (`import com.azure.identity.ManagedIdentityCredentialBuilder;`), on-demand imports
 * (`import com.azure.identity.*;`) and fully qualified `new com.azure.identity.X()`. Builders select the identity
 * through the methods chained on `new X()` (`.clientId()`, `.resourceId()`, `.withObjectId()`).
 */
export function analyzeJava(root: Node, rules: CredentialRules): FileFacts {
  const facts = new FactsBuilder('java');
  const scope = new NameScope();
  const assigned = new ScopedValues(functionScopes);
  const strings: Array<StringCandidate<Node>> = [];
  const creations: Node[] = [];
  const optionsTable = rules.options.get('java');

  walkTree<Context>(root, { message: false, inString: false }, (node, context) => {
    switch (node.type) {
      case 'line_comment':
      case 'block_comment':
        return false;
      case 'import_declaration': {
        if (node.children.some((child) => child?.type === 'static')) return false;
        const target = namedChildren(node).find((child) => child.type === 'scoped_identifier' || child.type === 'identifier');
        const path = scopedPath(target ?? null);
        if (!path) return false;
        if (namedChildren(node).some((child) => child.type === 'asterisk')) scope.addWildcard(path);
        else scope.bind(path[path.length - 1] ?? '', path);
        return false;
      }
      case 'variable_declarator': {
        const name = node.childForFieldName('name')?.text;
        const value = node.childForFieldName('value');
        if (name && value) {
          assigned.define(name, value, node);
        }
        return context;
      }
      case 'object_creation_expression': {
        creations.push(node);
        const last = scopedPath(node.childForFieldName('type'))?.at(-1);
        return { message: context.message || (last !== undefined && rules.messageCalls.has(last)), inString: false };
      }
      case 'method_invocation': {
        const name = node.childForFieldName('name')?.text;
        if (name) {
          const option = optionsTable?.get(name);
          const argument = node.childForFieldName('arguments')?.namedChild(0);
          if (option) facts.options.push({ at: positionOf(node.childForFieldName('name') ?? node), rule: option, value: argument?.type === 'true' ? 'true' : argument?.type === 'false' ? 'false' : 'other' });
        }
        return { message: context.message || (name !== undefined && rules.messageCalls.has(name)), inString: false };
      }
      case 'decimal_integer_literal': {
        const value = Number(node.text.replace(/[_lL]/g, ''));
        if (Number.isSafeInteger(value)) facts.numbers.add(value);
        return context;
      }
      default:
        if (typeDeclarations.has(node.type)) {
          const name = node.childForFieldName('name')?.text;
          if (name) scope.declare(name);
        }
        break;
    }
    if (dialect.parts(node)) {
      if (node.type === 'string_literal') readEnvironment(node, rules, facts);
      if (!context.inString) strings.push({ node, message: context.message });
      return { message: context.message, inString: true };
    }
    return context;
  }, visited);

  for (const creation of creations) {
    const path = scopedPath(creation.childForFieldName('type'));
    if (!path) continue;
    const resolved = resolveApi(rules, 'java', scope, path, { separator: '.', submodules: false, absolute: true });
    if (!resolved) continue;
    const builder = resolved.rule.kind === 'builder';
    facts.sites.push({ at: positionOf(creation), rule: resolved.rule, module: resolved.module, ...readChain(creation, assigned, builder) });
  }
  recordStrings(strings, dialect, assigned.constants, facts);
  return facts.build();
}

/** `System.getenv("X")` reads (Java cannot set the environment of its own process). */
function readEnvironment(node: Node, rules: CredentialRules, facts: FactsBuilder): void {
  const name = literalValue(node, dialect);
  if (name !== null && rules.environment.has(name)) facts.environment.push({ at: positionOf(node), name, kind: 'read', value: null });
}

/** Methods chained on a builder (`new X().clientId(id).build()`) and the names in the constructor's arguments. */
function readChain(
  creation: Node,
  assigned: ScopedValues,
  builder: boolean,
): { selectors: string[]; firstArgument: ArgumentShape; port: null } {
  const selectors: string[] = [];
  let current = creation;
  while (current.parent?.type === 'method_invocation' && current.parent.childForFieldName('object')?.id === current.id) {
    const name = current.parent.childForFieldName('name')?.text;
    if (name) selectors.push(name);
    current = current.parent;
  }
  const args = namedChildren(creation.childForFieldName('arguments') ?? creation).filter((child) => child.type !== 'line_comment' && child.type !== 'block_comment');
  for (const arg of args) {
    for (const found of descendants(arg, new Set(['method_invocation', 'identifier']))) {
      const name = found.type === 'identifier' ? found.text : found.childForFieldName('name')?.text;
      if (name) selectors.push(name);
      const value = found.type === 'identifier' ? assigned.lookup(found.text, creation)[0] : undefined;
      if (value) for (const inner of descendants(value, new Set(['method_invocation']))) selectors.push(inner.childForFieldName('name')?.text ?? '');
    }
  }
  const first = args[0];
  const firstArgument: ArgumentShape = builder || !first ? 'none' : dialect.parts(first) ? 'string' : 'unknown';
  return { selectors, firstArgument, port: null };
}
