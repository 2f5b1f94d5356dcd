import ts from 'typescript';
import type { ArgumentShape, FileFacts, Position } from './facts.js';
import { FactsBuilder } from './facts.js';
import { bareScopeUse, runtimeScopeUse, type CredentialRules } from './rules.js';
import { NameScope, resolveApi } from './scope.js';
import type { StringCandidate, StringDialect, StringPart } from './strings.js';
import { literalValue, recordStrings } from './strings.js';

/** The first syntax error the TypeScript parser reported (it recovers and the rest of the file is analysed). */
export interface JavaScriptParseError {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

function scriptKindOf(path: string): ts.ScriptKind {
  const lower = path.toLowerCase();
  if (lower.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (lower.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (/\.[cm]?ts$/.test(lower)) return ts.ScriptKind.TS;
  return ts.ScriptKind.JS;
}

function dialectFor(file: ts.SourceFile): StringDialect<ts.Node> {
  return {
    parts(node) {
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [{ literal: node.text }];
      if (ts.isTemplateExpression(node)) {
        const parts: Array<StringPart<ts.Node>> = [{ literal: node.head.text }];
        for (const span of node.templateSpans) parts.push({ operand: span.expression }, { literal: span.literal.text });
        return parts;
      }
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) return [{ operand: node.left }, { operand: node.right }];
      if (ts.isParenthesizedExpression(node) && isStringish(node.expression)) return [{ operand: node.expression }];
      return null;
    },
    name(node) {
      return ts.isIdentifier(node) ? node.text : null;
    },
    position(node) {
      return positionIn(file, node);
    },
  };
}

function isStringish(node: ts.Node): boolean {
  return (
    ts.isStringLiteral(node) ||
    ts.isNoSubstitutionTemplateLiteral(node) ||
    ts.isTemplateExpression(node) ||
    (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken)
  );
}

function positionIn(file: ts.SourceFile, node: ts.Node): Position {
  const { line, character } = file.getLineAndCharacterOfPosition(node.getStart(file));
  return { line: line + 1, column: character + 1 };
}

/** `require('m')` or `import('m')` (awaited or not): the module name, else null. */
function requiredModule(node: ts.Node): string | null {
  let current = node;
  while (ts.isAwaitExpression(current) || ts.isParenthesizedExpression(current)) current = current.expression;
  if (!ts.isCallExpression(current)) return null;
  const [first] = current.arguments;
  const isRequire = ts.isIdentifier(current.expression) && current.expression.text === 'require';
  const isImport = current.expression.kind === ts.SyntaxKind.ImportKeyword;
  if ((!isRequire && !isImport) || !first || !(ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))) return null;
  return first.text;
}

/**
 * The written path of a callee: `a.b.C` → [a, b, C]; `x['C']` → [x, C]; `require('m').C` → a path that starts with
 * the module itself (`absolute`). Null for anything else (calls on call results, computed members).
 */
function calleePath(node: ts.Node): { path: string[]; absolute: boolean } | null {
  // Iterative: a member chain 100,000 long in generated code must not reach the call stack's limit.
  const members: string[] = [];
  let current = node;
  for (;;) {
    if (ts.isParenthesizedExpression(current) || ts.isAwaitExpression(current)) {
      current = current.expression;
      continue;
    }
    if (ts.isIdentifier(current)) return { path: [current.text, ...members.reverse()], absolute: false };
    const module = requiredModule(current);
    if (module !== null) return { path: [module, ...members.reverse()], absolute: true };
    if (ts.isPropertyAccessExpression(current)) {
      members.push(current.name.text);
      current = current.expression;
      continue;
    }
    if (ts.isElementAccessExpression(current) && ts.isStringLiteralLike(current.argumentExpression)) {
      members.push(current.argumentExpression.text);
      current = current.expression;
      continue;
    }
    return null;
  }
}

/** Every node below `node` (itself included), depth first, without recursion. */
function eachBelow(node: ts.Node, visit: (current: ts.Node) => void): void {
  const stack: ts.Node[] = [node];
  while (stack.length > 0) {
    const current = stack.pop();
    if (!current) break;
    visit(current);
    const children: ts.Node[] = [];
    current.forEachChild((child) => {
      children.push(child);
    });
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child) stack.push(child);
    }
  }
}

function isProcessEnv(node: ts.Node): boolean {
  if (!ts.isPropertyAccessExpression(node) || node.name.text !== 'env') return false;
  const object = node.expression;
  if (ts.isIdentifier(object)) return object.text === 'process';
  return ts.isPropertyAccessExpression(object) && object.name.text === 'process' && ts.isIdentifier(object.expression) && object.expression.text === 'globalThis';
}

function propertyNameText(name: ts.PropertyName): string | null {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isComputedPropertyName(name) && ts.isStringLiteralLike(name.expression)) return name.expression.text;
  return null;
}

interface Context {
  readonly message: boolean;
  readonly inString: boolean;
}

/**
 * JavaScript and TypeScript through the TypeScript compiler's parser (no type checker, no program): one
 * `createSourceFile` per candidate file. Names resolve through ES imports (named, aliased, namespace, default),
 * `import x = require()`, CommonJS `require` (plain, destructured, member) and dynamic `import()`; a class or
 * function the file declares itself is never the library's.
 */
export function analyzeJavaScript(
  path: string,
  text: string,
  language: 'javascript' | 'typescript',
  rules: CredentialRules,
): { facts: FileFacts; parseError: JavaScriptParseError | null } {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, scriptKindOf(path));
  const dialect = dialectFor(file);
  const facts = new FactsBuilder(language);
  const scope = new NameScope();
  const initializers = new Map<string, ts.Node>();
  // name → scope node → the first declaration of that name in that scope: a lookup per scope, whatever the count.
  const declarations = new Map<string, Map<ts.Node, ts.VariableDeclaration>>();
  const strings: Array<StringCandidate<ts.Node>> = [];
  const calls: Array<ts.NewExpression | ts.CallExpression> = [];
  /** Modules named by `import` and `import x = require()`; `require('…')` calls are among `calls`. */
  const imported: string[] = [];
  const optionsTable = rules.options.get(language);

  const stack: Array<[ts.Node, Context]> = [[file, { message: false, inString: false }]];
  while (stack.length > 0) {
    const top = stack.pop();
    if (!top) break;
    const [node, context] = top;
    let next: Context = context;

    if (ts.isImportDeclaration(node)) {
      readImport(node, scope);
      if (ts.isStringLiteral(node.moduleSpecifier)) imported.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node)) {
      const reference = node.moduleReference;
      if (ts.isExternalModuleReference(reference) && ts.isStringLiteral(reference.expression)) {
        scope.bind(node.name.text, [reference.expression.text]);
        imported.push(reference.expression.text);
      }
    } else if (ts.isVariableDeclaration(node)) {
      readVariable(node, scope, initializers, facts, rules, dialect);
      if (ts.isIdentifier(node.name)) {
        const scopes = declarations.get(node.name.text) ?? new Map<ts.Node, ts.VariableDeclaration>();
        const scope = declarationScope(node);
        if (scope && !scopes.has(scope)) scopes.set(scope, node);
        declarations.set(node.name.text, scopes);
      }
    }
    else if ((ts.isClassDeclaration(node) || ts.isFunctionDeclaration(node) || ts.isClassExpression(node)) && node.name) scope.declare(node.name.text);
    else if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
      calls.push(node);
      const callee = calleePath(node.expression);
      const last = callee?.path[callee.path.length - 1];
      next = { message: context.message || (last !== undefined && rules.messageCalls.has(last)), inString: false };
    } else if (ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) {
      const name = propertyNameText(node.name);
      if (name !== null) {
        facts.keys.add(name);
        const option = optionsTable?.get(name);
        if (option) {
          const value = ts.isPropertyAssignment(node) ? node.initializer.kind : null;
          facts.options.push({
            at: positionIn(file, node),
            rule: option,
            value: value === ts.SyntaxKind.TrueKeyword ? 'true' : value === ts.SyntaxKind.FalseKeyword ? 'false' : 'other',
          });
        }
      }
    } else if (ts.isNumericLiteral(node)) {
      const value = Number(node.text);
      if (Number.isSafeInteger(value)) facts.numbers.add(value);
    } else if ((ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) && isProcessEnv(node.expression)) {
      const name = ts.isPropertyAccessExpression(node) ? node.name.text : ts.isStringLiteralLike(node.argumentExpression) ? node.argumentExpression.text : null;
      if (name !== null && rules.environment.has(name)) readEnvironment(node, name, file, facts, dialect);
    }

    if (dialect.parts(node)) {
      if (!context.inString) strings.push({ node, message: context.message });
      if (ts.isStringLiteral(node) && rules.environment.has(node.text) && !isEnvMember(node)) {
        facts.environment.push({ at: positionIn(file, node), name: node.text, kind: 'read', value: null });
      }
      next = { message: next.message, inString: true };
    }

    const children: ts.Node[] = [];
    node.forEachChild((child) => {
      children.push(child);
    });
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child) stack.push([child, next]);
    }
  }

  const scopeRules = rules.tokenScopes.get(language);
  const modules = scopeRules ? [...imported, ...calls.flatMap((call) => (ts.isCallExpression(call) && ts.isIdentifier(call.expression) && call.expression.text === 'require' && call.arguments[0] && ts.isStringLiteral(call.arguments[0]) ? [call.arguments[0].text] : []))] : [];
  for (const call of calls) {
    const callee = calleePath(call.expression);
    if (scopeRules && ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression)) {
      const rule = scopeRules.get(call.expression.name.text);
      if (rule && modules.some((module) => module.startsWith(rule.module))) readScopes(call, rule.name, file, facts);
    }
    if (!callee) continue;
    const resolved = callee.absolute
      ? resolveAbsolute(rules, language, callee.path)
      : resolveApi(rules, language, scope, callee.path, { separator: '/', submodules: true, absolute: false });
    if (!resolved) continue;
    facts.sites.push({ at: positionIn(file, call), rule: resolved.rule, module: resolved.module, ...readArguments(call, (name) => initializerInScope(name, call, declarations), rules) });
  }
  recordStrings(strings, dialect, initializers, facts);

  return { facts: facts.build(), parseError: firstParseError(file) };
}

/** Literal scopes passed to a token call (`getToken("…")`, `getToken(["…", "…"])`) that are bare resources. */
function readScopes(call: ts.CallExpression, api: string, file: ts.SourceFile, facts: FactsBuilder): void {
  const first = call.arguments[0];
  if (!first) return;
  const literals = ts.isArrayLiteralExpression(first) ? first.elements : [first];
  for (const literal of literals) {
    const use = ts.isStringLiteralLike(literal)
      ? bareScopeUse(positionIn(file, literal), api, literal.text)
      : ts.isIdentifier(literal) || ts.isPropertyAccessExpression(literal) ? runtimeScopeUse(positionIn(file, literal), api, literal.getText(file)) : null;
    if (use) facts.direct.push(use);
  }
}

function resolveAbsolute(rules: CredentialRules, language: 'javascript' | 'typescript', path: readonly string[]): ReturnType<typeof resolveApi> {
  const scope = new NameScope();
  const [module, ...rest] = path;
  if (module === undefined) return null;
  scope.bind('\u0000module', [module]);
  return resolveApi(rules, language, scope, ['\u0000module', ...rest], { separator: '/', submodules: true, absolute: false });
}

function readImport(node: ts.ImportDeclaration, scope: NameScope): void {
  if (!ts.isStringLiteral(node.moduleSpecifier) || !node.importClause) return;
  const module = node.moduleSpecifier.text;
  const clause = node.importClause;
  // A default import of a CommonJS module (ms-rest-azure) is the module object itself.
  if (clause.name) scope.bind(clause.name.text, [module]);
  const bindings = clause.namedBindings;
  if (!bindings) return;
  if (ts.isNamespaceImport(bindings)) scope.bind(bindings.name.text, [module]);
  else for (const element of bindings.elements) scope.bind(element.name.text, [module, (element.propertyName ?? element.name).text]);
}

/** `const x = require('m')`, `const { A, B: C } = require('m')`, `const A = require('m').A`, `const A = ns.A`. */
function readVariable(
  node: ts.VariableDeclaration,
  scope: NameScope,
  initializers: Map<string, ts.Node>,
  facts: FactsBuilder,
  rules: CredentialRules,
  dialect: StringDialect<ts.Node>,
): void {
  const init = node.initializer;
  if (ts.isIdentifier(node.name)) {
    if (init && !initializers.has(node.name.text)) initializers.set(node.name.text, init);
    const source = init ? calleePath(init) : null;
    if (source?.absolute) scope.bind(node.name.text, source.path);
    else if (source && source.path.length > 1) {
      const head = scope.binding(source.path[0] ?? '');
      if (head) scope.bind(node.name.text, [...head, ...source.path.slice(1)]);
      else scope.declare(node.name.text);
    } else scope.declare(node.name.text);
    return;
  }
  if (!ts.isObjectBindingPattern(node.name) || !init) return;
  const source = calleePath(init);
  const base = source?.absolute ? source.path : source ? scope.binding(source.path[0] ?? '')?.concat(source.path.slice(1)) : undefined;
  const fromEnv = isProcessEnv(init);
  for (const element of node.name.elements) {
    if (!ts.isIdentifier(element.name)) continue;
    const property = element.propertyName ? (ts.isIdentifier(element.propertyName) || ts.isStringLiteral(element.propertyName) ? element.propertyName.text : null) : element.name.text;
    if (property === null) continue;
    if (base) scope.bind(element.name.text, [...base, property]);
    if (fromEnv && rules.environment.has(property)) {
      facts.environment.push({ at: dialect.position(element), name: property, kind: 'read', value: null });
    }
  }
}

function isEnvMember(node: ts.StringLiteral): boolean {
  const parent = node.parent;
  return ts.isElementAccessExpression(parent) && isProcessEnv(parent.expression);
}

function readEnvironment(
  node: ts.PropertyAccessExpression | ts.ElementAccessExpression,
  name: string,
  file: ts.SourceFile,
  facts: FactsBuilder,
  dialect: StringDialect<ts.Node>,
): void {
  const parent = node.parent;
  if (ts.isBinaryExpression(parent) && parent.left === node && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    facts.environment.push({ at: positionIn(file, node), name, kind: 'set', value: literalValue(parent.right, dialect) });
    return;
  }
  facts.environment.push({ at: positionIn(file, node), name, kind: 'read', value: null });
}

/** Object keys and property names below a node (`{ clientId }`, `{ managedIdentityClientId: x }`). */
function keysBelow(node: ts.Node): string[] {
  const keys: string[] = [];
  eachBelow(node, (current) => {
    if ((ts.isPropertyAssignment(current) || ts.isShorthandPropertyAssignment(current)) && current.name) {
      const name = propertyNameText(current.name);
      if (name !== null) keys.push(name);
    }
  });
  return keys;
}

/** The scope a `const`/`let`/`var` declaration belongs to (blocks for let/const are close enough here). */
function declarationScope(node: ts.Node): ts.Node | undefined {
  let current = node.parent;
  while (current && !ts.isBlock(current) && !ts.isSourceFile(current) && !ts.isFunctionLike(current) && !ts.isModuleBlock(current)) current = current.parent;
  return current;
}

/**
 * The initializer of the variable a name refers to at `use`: the declaration in the nearest enclosing scope, unless
 * a function parameter of that name is closer (then the value is only known at run time).
 */
function initializerInScope(name: string, use: ts.Node, declarations: ReadonlyMap<string, ReadonlyMap<ts.Node, ts.VariableDeclaration>>): ts.Expression | undefined {
  const scopes = declarations.get(name);
  if (!scopes) return undefined;
  for (let current: ts.Node | undefined = use.parent; current; current = current.parent) {
    if (ts.isFunctionLike(current) && current.parameters.some((parameter) => ts.isIdentifier(parameter.name) && parameter.name.text === name)) return undefined;
    const found = scopes.get(current);
    if (found) return found.initializer;
  }
  return undefined;
}

function readArguments(
  call: ts.NewExpression | ts.CallExpression,
  initializerOf: (name: string) => ts.Node | undefined,
  rules: CredentialRules,
): { selectors: string[]; firstArgument: ArgumentShape; port: 'legacy-literal' | 'option' | null } {
  const args = call.arguments ? [...call.arguments] : [];
  const selectors: string[] = [];
  let port: 'legacy-literal' | 'option' | null = null;
  const shapes: ArgumentShape[] = [];
  for (const arg of args) {
    let value: ts.Node = arg;
    // `new ManagedIdentityCredential(clientId = clientId)`: an assignment written where an argument goes.
    if (ts.isBinaryExpression(value) && value.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      if (ts.isIdentifier(value.left)) selectors.push(value.left.text);
      value = value.right;
    }
    if (ts.isIdentifier(value)) {
      selectors.push(value.text);
      const init = initializerOf(value.text);
      if (init) value = init;
    }
    if (ts.isPropertyAccessExpression(value) && !isProcessEnv(value.expression)) selectors.push(value.name.text);
    const keys = keysBelow(value);
    selectors.push(...keys);
    if (keys.includes('port')) port ??= 'option';
    eachBelow(value, (current) => {
      if (ts.isNumericLiteral(current) && Number(current.text) === rules.endpoints.legacyExtensionPort) port = 'legacy-literal';
    });
    shapes.push(shapeOf(value));
  }
  return { selectors, firstArgument: shapes[0] ?? 'none', port };
}

function shapeOf(node: ts.Node): ArgumentShape {
  // `a || b ?? c`: the first operand, left to right, whose shape is known (a stack, not recursion: chains can be long).
  const pending: ts.Node[] = [node];
  while (pending.length > 0) {
    const current = pending.pop();
    if (!current) break;
    if (ts.isObjectLiteralExpression(current)) return 'object';
    if (isStringish(current)) return 'string';
    if ((ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current)) && isProcessEnv(current.expression)) return 'string';
    if (ts.isBinaryExpression(current) && (current.operatorToken.kind === ts.SyntaxKind.BarBarToken || current.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) {
      pending.push(current.right, current.left);
    }
  }
  return 'unknown';
}

function firstParseError(file: ts.SourceFile): JavaScriptParseError | null {
  // The parser's own diagnostics are not part of the public type; read them without trusting their shape.
  const diagnostics: unknown = Reflect.get(file, 'parseDiagnostics');
  if (!Array.isArray(diagnostics)) return null;
  for (const diagnostic of diagnostics as unknown[]) {
    if (!isDiagnostic(diagnostic)) continue;
    const { line, character } = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    return { line: line + 1, column: character + 1, message: ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ') };
  }
  return null;
}

function isDiagnostic(value: unknown): value is ts.Diagnostic {
  return typeof value === 'object' && value !== null && 'messageText' in value && 'start' in value;
}
