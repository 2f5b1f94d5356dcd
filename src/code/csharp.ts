import type { Node, Parser } from 'web-tree-sitter';
import type { Repo } from '../walk/repo.js';
import type { ArgumentShape, FileFacts } from './facts.js';
import { FactsBuilder } from './facts.js';
import { bareScopeUse, runtimeScopeUse, type CredentialRules, type ExtensionCallRule } from './rules.js';
import { NameScope, resolveApi } from './scope.js';
import type { StringCandidate, StringPart } from './strings.js';
import { literalValue, recordStrings } from './strings.js';
import { descendants, grammarDialect, namedChildren, positionOf, ScopedValues, walkTree, withTree } from './tree-sitter.js';

const functionScopes = new Set(['method_declaration', 'constructor_declaration', 'local_function_statement', 'lambda_expression', 'accessor_declaration']);

/** A `using` that applies to every file of a project: `global using X;` in any of its files, `<Using Include>`. */
export interface ProjectUsing {
  readonly namespace: readonly string[];
  readonly alias: string | null;
}

/**
 * Global usings per C# project. A project is the folder of the nearest `*.csproj` above a file (the repository root
 * when there is none); a `global using` in any file of a project, or a `<Using Include="..."/>` item in its csproj,
 * counts for every file of that project.
 */
export interface CsharpProjectUsings {
  forFile(path: string): readonly ProjectUsing[];
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function projectOf(path: string, projects: ReadonlySet<string>): string {
  let dir = parentOf(path);
  for (;;) {
    if (projects.has(dir)) return dir;
    if (dir === '') return '';
    dir = parentOf(dir);
  }
}

/**
 * Collects global usings before the C# files are analysed. Only files that say `global using` are parsed for it
 * (with tree-sitter, so a commented-out directive does not count); csproj `<Using>` items are read as XML text.
 */
export async function collectCsharpUsings(
  repo: Repo,
  sources: ReadonlyArray<{ readonly path: string; readonly text: string }>,
  parser: () => Promise<Parser | null>,
): Promise<CsharpProjectUsings> {
  // The first csproj of each project folder, in walk order (one pass: a lookup per project was quadratic).
  const csprojOf = new Map<string, string>();
  for (const file of repo.files) {
    if (!file.path.toLowerCase().endsWith('.csproj')) continue;
    const folder = parentOf(file.path);
    if (!csprojOf.has(folder)) csprojOf.set(folder, file.path);
  }
  const projects = new Set(csprojOf.keys());
  const byProject = new Map<string, ProjectUsing[]>();
  const add = (project: string, using: ProjectUsing): void => {
    const list = byProject.get(project) ?? [];
    list.push(using);
    byProject.set(project, list);
  };
  for (const project of [...projects].sort()) {
    const csproj = csprojOf.get(project);
    const text = csproj ? repo.read(csproj)?.text : undefined;
    if (!text) continue;
    const withoutComments = text.replace(/<!--[\s\S]*?-->/g, '');
    for (const match of withoutComments.matchAll(/<Using\s+([^>]*?)\/?>/g)) {
      const attributes = match[1] ?? '';
      const include = /\bInclude\s*=\s*"([^"]+)"/.exec(attributes)?.[1];
      if (!include || /\bStatic\s*=\s*"true"/i.test(attributes)) continue;
      add(project, { namespace: include.trim().split('.'), alias: /\bAlias\s*=\s*"([^"]+)"/.exec(attributes)?.[1] ?? null });
    }
  }
  const withGlobal = sources.filter((source) => /\bglobal\s+using\b/.test(source.text));
  const loaded = withGlobal.length > 0 ? await parser() : null;
  if (loaded) {
    for (const source of withGlobal) {
      withTree(loaded, source.text, (tree) => {
        for (const directive of descendants(tree.rootNode, new Set(['using_directive']))) {
          if (!directive.children.some((child) => child?.type === 'global')) continue;
          const using = readUsing(directive);
          if (using && using.kind !== 'static') add(projectOf(source.path, projects), { namespace: using.target, alias: using.alias });
        }
      });
    }
  }
  return {
    forFile(path) {
      return byProject.get(projectOf(path, projects)) ?? [];
    },
  };
}

/** Path of a name: `Azure.Identity.X`, `global::Azure.Identity.X`, `AI.X`, generic `List<T>` → its name. */
function namePath(node: Node | null): string[] | null {
  if (!node) return null;
  switch (node.type) {
    case 'identifier':
      return [node.text];
    case 'generic_name':
      return node.namedChild(0) ? [node.namedChild(0)?.text ?? ''] : null;
    case 'qualified_name': {
      const qualifier = namePath(node.childForFieldName('qualifier'));
      const name = namePath(node.childForFieldName('name'));
      return qualifier && name ? [...qualifier, ...name] : null;
    }
    case 'alias_qualified_name': {
      const alias = node.childForFieldName('alias')?.text;
      const name = namePath(node.childForFieldName('name'));
      if (!name) return null;
      return alias === 'global' ? name : alias ? [alias, ...name] : name;
    }
    case 'member_access_expression': {
      const expression = namePath(node.childForFieldName('expression'));
      const name = node.childForFieldName('name')?.text;
      return expression && name ? [...expression, name] : null;
    }
    default:
      return null;
  }
}

function readUsing(node: Node): { kind: 'namespace' | 'alias' | 'static'; target: string[]; alias: string | null } | null {
  const alias = node.childForFieldName('name');
  const target = namedChildren(node).find((child) => child.id !== alias?.id && (child.type === 'qualified_name' || child.type === 'identifier' || child.type === 'alias_qualified_name'));
  const path = namePath(target ?? null);
  if (!path) return null;
  if (node.children.some((child) => child?.type === 'static')) return { kind: 'static', target: path, alias: null };
  return alias ? { kind: 'alias', target: path, alias: alias.text } : { kind: 'namespace', target: path, alias: null };
}

const dialect = grammarDialect((node) => {
  switch (node.type) {
    case 'string_literal':
      return [{ literal: namedChildren(node).map((child) => child.text).join('') }];
    case 'verbatim_string_literal':
      return [{ literal: node.text.replace(/^@"/, '').replace(/"$/, '').replaceAll('""', '"') }];
    case 'raw_string_literal':
      return [{ literal: namedChildren(node).filter((child) => child.type === 'raw_string_content').map((child) => child.text).join('') }];
    case 'interpolated_string_expression': {
      const parts: Array<StringPart<Node>> = [];
      for (const child of namedChildren(node)) {
        if (child.type === 'string_content' || child.type === 'escape_sequence') parts.push({ literal: child.text });
        else if (child.type === 'interpolation') {
          const expression = namedChildren(child).find((inner) => inner.type !== 'interpolation_brace' && inner.type !== 'interpolation_alignment_clause' && inner.type !== 'interpolation_format_clause');
          parts.push(expression ? { operand: expression } : { hole: true });
        }
      }
      return parts;
    }
    default:
      return null;
  }
});

/** The node types the walk stops at (everything else only passes its context on). */
const visited = new Set([
  'comment', 'using_directive', 'namespace_declaration', 'file_scoped_namespace_declaration', 'variable_declarator',
  'object_creation_expression', 'implicit_object_creation_expression', 'invocation_expression', 'assignment_expression',
  'integer_literal', 'class_declaration', 'struct_declaration', 'record_declaration', 'interface_declaration',
  'enum_declaration', 'string_literal', 'verbatim_string_literal', 'raw_string_literal', 'interpolated_string_expression',
  'binary_expression', 'parenthesized_expression',
]);

interface Context {
  readonly message: boolean;
  readonly inString: boolean;
}

const typeDeclarations = new Set(['class_declaration', 'struct_declaration', 'record_declaration', 'interface_declaration', 'enum_declaration']);

/**
 * C#: `using Azure.Identity;` (also global usings of the project), aliases `using AI = Azure.Identity;`, fully
 * qualified `new Azure.Identity.X(...)` (with or without `global::`), target-typed `X c = new(...)`. A type the file
 * declares itself hides the imported one.
 */
export function analyzeCsharp(root: Node, rules: CredentialRules, projectUsings: readonly ProjectUsing[]): FileFacts {
  const facts = new FactsBuilder('csharp');
  const scope = new NameScope();
  for (const using of projectUsings) {
    if (using.alias) scope.bind(using.alias, using.namespace);
    else scope.addWildcard(using.namespace);
  }
  const assigned = new ScopedValues(functionScopes);
  const strings: Array<StringCandidate<Node>> = [];
  const creations: Array<{ node: Node; type: Node | null }> = [];
  const optionsTable = rules.options.get('csharp');
  const extensionCalls = (rules.file.extensionCalls ?? []).filter((row) => row.languages.includes('csharp'));
  const calls: Node[] = [];

  walkTree<Context>(root, { message: false, inString: false }, (node, context) => {
    switch (node.type) {
      case 'comment':
        return false;
      case 'using_directive': {
        const using = readUsing(node);
        if (using?.kind === 'alias' && using.alias) scope.bind(using.alias, using.target);
        else if (using?.kind === 'namespace') scope.addWildcard(using.target);
        return false;
      }
      case 'namespace_declaration':
      case 'file_scoped_namespace_declaration': {
        // Code inside `namespace A.B` sees the types of A and A.B unqualified.
        const path = namePath(node.childForFieldName('name'));
        if (path) for (let i = 1; i <= path.length; i++) scope.addWildcard(path.slice(0, i));
        return context;
      }
      case 'variable_declarator': {
        const name = node.childForFieldName('name')?.text;
        const value = namedChildren(node).find((child) => child.id !== node.childForFieldName('name')?.id);
        if (name && value) {
          assigned.define(name, value, node);
        }
        return context;
      }
      case 'object_creation_expression': {
        creations.push({ node, type: node.childForFieldName('type') });
        const last = namePath(node.childForFieldName('type'))?.at(-1);
        return { message: context.message || (last !== undefined && rules.messageCalls.has(last)), inString: false };
      }
      case 'implicit_object_creation_expression': {
        creations.push({ node, type: declaredType(node) });
        return { message: context.message, inString: false };
      }
      case 'invocation_expression': {
        const last = namePath(node.childForFieldName('function'))?.at(-1);
        if (last !== undefined && extensionCalls.some((row) => row.name === last)) calls.push(node);
        return { message: context.message || (last !== undefined && rules.messageCalls.has(last)), inString: false };
      }
      case 'assignment_expression': {
        const left = node.childForFieldName('left');
        const name = left?.type === 'member_access_expression' ? left.childForFieldName('name')?.text : left?.text;
        if (name && left && (left.type === 'identifier' || left.type === 'member_access_expression')) {
          facts.keys.add(name);
          const option = optionsTable?.get(name);
          const right = node.childForFieldName('right');
          if (option) facts.options.push({ at: positionOf(node), rule: option, value: right?.text === 'true' ? 'true' : right?.text === 'false' ? 'false' : 'other' });
        }
        return context;
      }
      case 'integer_literal': {
        const value = Number(node.text.replace(/[_uUlL]/g, ''));
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

  const scopeRules = rules.tokenScopes.get('csharp');
  for (const creation of creations) {
    const path = namePath(creation.type);
    if (!path) continue;
    const scopeRule = scopeRules?.get(path.at(-1) ?? '');
    if (scopeRule && scope.candidates(path, true).some((candidate) => candidate.join('.') === `${scopeRule.module}.${scopeRule.name}`)) {
      const list = creation.node.childForFieldName('arguments');
      for (const literal of list ? descendants(list, new Set(['string_literal', 'verbatim_string_literal', 'raw_string_literal'])) : []) {
        const value = literalValue(literal, dialect);
        const use = value === null ? null : bareScopeUse(positionOf(literal), scopeRule.name, value);
        if (use) facts.direct.push(use);
      }
      // `new TokenRequestContext(new[] { audience })`: the scopes array's items that are plain names.
      const scopes = list ? namedChildren(list)[0] : undefined;
      for (const item of scopes ? descendants(scopes, new Set(['identifier', 'member_access_expression'])).filter((node) => node.parent?.type === 'initializer_expression') : []) {
        const use = runtimeScopeUse(positionOf(item), scopeRule.name, item.text);
        if (use) facts.direct.push(use);
      }
    }
    const resolved = resolveApi(rules, 'csharp', scope, path, { separator: '.', submodules: false, absolute: true });
    if (!resolved) continue;
    facts.sites.push({ at: positionOf(creation.node), rule: resolved.rule, module: resolved.module, ...readArguments(creation.node, assigned) });
  }
  recordStrings(strings, dialect, assigned.constants, facts);
  readExtensionCalls(extensionCalls, calls, creations, scope, facts);
  return facts.build();
}

/**
 * Extension methods legacy by their overload (`AddAzureKeyVault(vault)`), told from their successor's by the number of
 * arguments, and the options constructor those overloads call.
 */
function readExtensionCalls(rows: readonly ExtensionCallRule[], calls: readonly Node[], creations: readonly { node: Node; type: Node | null }[], scope: NameScope, facts: FactsBuilder): void {
  const count = (node: Node) => {
    const list = node.childForFieldName('arguments');
    return list ? namedChildren(list).filter((child) => child.type === 'argument').length : 0;
  };
  for (const row of rows) {
    const imported = row.alsoWhenImported && scope.imports(row.alsoWhenImported.module.split('.')) ? row.alsoWhenImported.arguments : [];
    for (const call of calls) {
      if (namePath(call.childForFieldName('function'))?.at(-1) !== row.name) continue;
      const n = count(call);
      if (row.legacyArguments.includes(n) || imported.includes(n)) facts.direct.push({ at: positionOf(call), api: row.name, category: row.category, detail: row.detail, requires: { ecosystem: row.package.ecosystem, package: row.package.name } });
    }
    const type = row.constructorOf;
    if (!type) continue;
    for (const creation of creations) {
      if (namePath(creation.type)?.at(-1) !== type.type || !type.arguments.includes(count(creation.node))) continue;
      facts.direct.push({ at: positionOf(creation.node), api: `new ${type.type}`, category: row.category, detail: row.detail, requires: { ecosystem: row.package.ecosystem, package: row.package.name } });
    }
  }
}

/** The declared type of `X name = new(...)` (local, field or property). */
function declaredType(node: Node): Node | null {
  let current = node.parent;
  while (current && current.type !== 'variable_declaration' && current.type !== 'property_declaration') {
    if (current.type !== 'variable_declarator' && current.type !== 'equals_value_clause') return null;
    current = current.parent;
  }
  return current?.childForFieldName('type') ?? null;
}

/** `Environment.GetEnvironmentVariable("X")` reads; `Environment.SetEnvironmentVariable("X", "v")` sets. */
function readEnvironment(node: Node, rules: CredentialRules, facts: FactsBuilder): void {
  const name = literalValue(node, dialect);
  if (name === null || !rules.environment.has(name)) return;
  const argument = node.parent?.type === 'argument' ? node.parent : null;
  const list = argument?.parent;
  const invocation = list?.parent;
  if (argument && list && invocation?.type === 'invocation_expression') {
    const method = namePath(invocation.childForFieldName('function'))?.at(-1) ?? '';
    const args = namedChildren(list).filter((child) => child.type === 'argument');
    if (/^Set/.test(method) && args[0]?.id === argument.id) {
      const value = args[1]?.namedChild(args[1].namedChildCount - 1) ?? null;
      facts.environment.push({ at: positionOf(node), name, kind: 'set', value: value ? literalValue(value, dialect) : null });
      return;
    }
  }
  facts.environment.push({ at: positionOf(node), name, kind: 'read', value: null });
}

const selectorNodes = new Set(['invocation_expression', 'member_access_expression', 'object_creation_expression', 'assignment_expression', 'argument', 'string_literal']);

/** Names below a node that may select an identity (see ApiSite.selectors). */
function selectorsBelow(node: Node): string[] {
  const names: string[] = [];
  for (const found of descendants(node, selectorNodes)) {
    switch (found.type) {
      case 'member_access_expression': {
        const name = found.childForFieldName('name')?.text;
        if (name) names.push(name);
        break;
      }
      case 'object_creation_expression': {
        const last = namePath(found.childForFieldName('type'))?.at(-1);
        if (last) names.push(last);
        break;
      }
      case 'assignment_expression': {
        const left = found.childForFieldName('left');
        if (left?.type === 'identifier') names.push(left.text);
        break;
      }
      case 'argument': {
        const name = found.childForFieldName('name')?.text;
        if (name) names.push(name);
        break;
      }
      case 'string_literal': {
        const text = literalValue(found, dialect) ?? '';
        for (const match of text.matchAll(/(?<!\w)(\w+)\s*=/g)) if (match[1]) names.push(match[1]);
        break;
      }
      default:
        break;
    }
  }
  return names;
}

function readArguments(
  creation: Node,
  assigned: ScopedValues,
): { selectors: string[]; firstArgument: ArgumentShape; port: null } {
  const list = creation.childForFieldName('arguments') ?? namedChildren(creation).find((child) => child.type === 'argument_list') ?? null;
  const args = list ? namedChildren(list).filter((child) => child.type === 'argument') : [];
  const selectors: string[] = [];
  const initializer = creation.childForFieldName('initializer');
  if (initializer) selectors.push(...selectorsBelow(initializer));
  let firstArgument: ArgumentShape = 'none';
  args.forEach((arg, index) => {
    selectors.push(...selectorsBelow(arg));
    let value = arg.namedChild(arg.namedChildCount - 1);
    if (value?.type === 'identifier') {
      selectors.push(normaliseName(value.text));
      const resolved = assigned.lookup(value.text, creation)[0];
      if (resolved) {
        selectors.push(...selectorsBelow(resolved));
        value = resolved;
      }
    }
    if (index === 0) firstArgument = value ? shapeOf(value) : 'unknown';
  });
  return { selectors, firstArgument, port: null };
}

function shapeOf(node: Node): ArgumentShape {
  if (dialect.parts(node)) return 'string';
  if (node.type === 'object_creation_expression' || node.type === 'implicit_object_creation_expression') return 'object';
  if (node.type === 'null_literal') return 'none';
  if (node.type === 'invocation_expression' && /GetEnvironmentVariable$/.test(node.childForFieldName('function')?.text ?? '')) return 'string';
  return 'unknown';
}

/** `_clientId`, `m_clientId`, `ClientId` → `clientId`, so a field or property name hints like a parameter does. */
function normaliseName(name: string): string {
  const bare = name.replace(/^(m_|_)/, '');
  return bare.charAt(0).toLowerCase() + bare.slice(1);
}
