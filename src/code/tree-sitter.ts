import { createRequire } from 'node:module';
import type { Node, Parser, Tree } from 'web-tree-sitter';
import type { Position } from './facts.js';
import type { StringDialect, StringPart } from './strings.js';

/** Grammar files shipped by @vscode/tree-sitter-wasm that pod2wi uses (note `c-sharp`, not `c_sharp`). */
export type GrammarName = 'python' | 'c-sharp' | 'java' | 'go' | 'cpp' | 'bash' | 'powershell';

const require = createRequire(import.meta.url);

/** The web-tree-sitter module, imported when the first grammar is asked for (a scan without candidates never loads it). */
type Runtime = typeof import('web-tree-sitter');

/**
 * web-tree-sitter holds one WASM runtime per process, and `Parser.init()` called a second time replaces it, which
 * invalidates every grammar loaded before. So this one promise is process-wide (the only module-level state of the
 * code stage, mirroring the library's own); grammars themselves are cached per scan in a {@link GrammarCache}.
 */
const runtime: { ready: Promise<Runtime> | null } = { ready: null };

function initRuntime(): Promise<Runtime> {
  runtime.ready ??= import('web-tree-sitter').then(async (module) => {
    await module.Parser.init();
    return module;
  });
  return runtime.ready;
}

/** A parser for one grammar, or why none could be made (the grammar file is missing or does not load). */
export type GrammarResult = { readonly parser: Parser } | { readonly error: string };

/**
 * Loads each grammar at most once and keeps one parser per grammar. Create one per scan (or share one across a test
 * file) and pass it down; never shared through module state.
 */
export class GrammarCache {
  readonly #loading = new Map<GrammarName, Promise<GrammarResult>>();

  /** The parser for a grammar; loading happens on first use only. */
  get(name: GrammarName): Promise<GrammarResult> {
    let pending = this.#loading.get(name);
    if (!pending) {
      pending = load(name);
      this.#loading.set(name, pending);
    }
    return pending;
  }

  /**
   * Replaces the parser of a grammar by a new one (same loaded language), after a parse that failed: whatever state
   * the fault left in the old parser must not reach the next file.
   */
  async renew(name: GrammarName): Promise<void> {
    const pending = this.#loading.get(name);
    if (!pending) return;
    const loaded = await pending;
    if (!('parser' in loaded)) return;
    const { language } = loaded.parser;
    const { Parser } = await initRuntime();
    const parser = new Parser();
    if (language) parser.setLanguage(language);
    try {
      loaded.parser.delete();
    } catch {
      // A parser a trap left unusable may not free cleanly; the new one does not depend on it.
    }
    this.#loading.set(name, Promise.resolve({ parser }));
  }
}

async function load(name: GrammarName): Promise<GrammarResult> {
  try {
    const { Language, Parser } = await initRuntime();
    const path = require.resolve(`@vscode/tree-sitter-wasm/wasm/tree-sitter-${name}.wasm`);
    const language = await Language.load(path);
    const parser = new Parser();
    parser.setLanguage(language);
    return { parser };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Parses `text`, hands the tree to `use`, and frees it afterwards: the WASM heap is not garbage-collected, so every
 * tree must be deleted even when `use` throws. The parser is reset first: a parse that was interrupted (a trap, an
 * exception, a cancellation) leaves tree-sitter ready to resume that document, and the next parse would read the old
 * file's text instead of this one.
 */
export function withTree<T>(parser: Parser, text: string, use: (tree: Tree) => T): T | null {
  parser.reset();
  const tree = parser.parse(text);
  if (!tree) return null;
  try {
    return use(tree);
  } finally {
    tree.delete();
  }
}

/** 1-based position of a node's start. */
export function positionOf(node: Node): Position {
  return { line: node.startPosition.row + 1, column: node.startPosition.column + 1 };
}

/** The first ERROR or MISSING node, for the parse-error note (the rest of the tree is still analysed). */
export function firstError(root: Node): Node | null {
  if (!root.hasError) return null;
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node) break;
    if (node.isError || node.isMissing) return node;
    if (!node.hasError) continue;
    for (let i = node.childCount - 1; i >= 0; i--) {
      const child = node.child(i);
      if (child) stack.push(child);
    }
  }
  return null;
}

/**
 * Depth-first walk with an inherited context. `enter` returns the context for the node's children, or `false` to
 * skip them. With `types`, only named nodes of those types reach `enter` (the others pass their context on): the walk
 * moves a tree cursor and makes Node objects only for them, which is most of the cost of walking in web-tree-sitter.
 * Iterative, so deeply nested generated code cannot overflow the stack.
 */
export function walkTree<C>(root: Node, context: C, enter: (node: Node, context: C) => C | false, types?: ReadonlySet<string>): void {
  const cursor = root.walk();
  const names = root.tree.language.types;
  const contexts: C[] = [context];
  let depth = 0;
  try {
    for (;;) {
      const inherited = contexts[depth] ?? context;
      let next: C | false = inherited;
      // One call into the runtime per node for its type; a Node object only for the types asked for.
      const wanted = types ? types.has(names[cursor.nodeTypeId] ?? '') : cursor.nodeIsNamed;
      if (wanted) next = enter(cursor.currentNode, inherited);
      if (next !== false && cursor.gotoFirstChild()) {
        depth++;
        contexts[depth] = next;
        continue;
      }
      // Next sibling, else up until an ancestor has one; never past the node the walk started from.
      for (;;) {
        if (depth === 0) return;
        if (cursor.gotoNextSibling()) break;
        cursor.gotoParent();
        depth--;
      }
    }
  } finally {
    cursor.delete();
  }
}

/** Named children of a node, without nulls. */
export function namedChildren(node: Node): Node[] {
  const result: Node[] = [];
  for (let i = 0; i < node.namedChildCount; i++) {
    const child = node.namedChild(i);
    if (child) result.push(child);
  }
  return result;
}

/** Every named descendant of the given types (the node itself included). */
export function descendants(node: Node, types: ReadonlySet<string>): Node[] {
  const found: Node[] = [];
  walkTree(
    node,
    null,
    (current) => {
      if (current.isNamed) found.push(current);
      return null;
    },
    types,
  );
  return found;
}

/**
 * Values assigned to names, kept per function: an argument `opts` is looked up in the function of the call first,
 * then at file level, so two functions that both build an `opts` do not mix their selections.
 */
export class ScopedValues {
  readonly #values = new Map<string, Node[]>();
  readonly #first = new Map<string, Node>();
  readonly #scopes: ReadonlySet<string>;

  /** `scopes`: the node types that open a function scope in the grammar. */
  constructor(scopes: ReadonlySet<string>) {
    this.#scopes = scopes;
  }

  add(name: string, value: Node, at: Node = value): void {
    const key = `${this.#scopeOf(at)}\u0000${name}`;
    this.#values.set(key, [...(this.#values.get(key) ?? []), value]);
  }

  /** A named value of the file: kept in its scope, and the first one of each name is the file's constant. */
  define(name: string, value: Node, at: Node = value): void {
    this.add(name, value, at);
    if (!this.#first.has(name)) this.#first.set(name, value);
  }

  /** The first value defined for each name anywhere in the file, for joining strings across constants. */
  get constants(): ReadonlyMap<string, Node> {
    return this.#first;
  }

  lookup(name: string, at: Node): readonly Node[] {
    const local = this.#values.get(`${this.#scopeOf(at)}\u0000${name}`);
    return local ?? this.#values.get(`-1\u0000${name}`) ?? [];
  }

  #scopeOf(node: Node): number {
    for (let current = node.parent; current; current = current.parent) if (this.#scopes.has(current.type)) return current.id;
    return -1;
  }
}

/**
 * The string dialect of a tree-sitter grammar whose concatenation is a `binary_expression` with `left`, `operator`
 * and `right` fields, which parenthesizes with `parenthesized_expression` and names with `identifier` (C++, C#, Go,
 * Java). `literal` reads the grammar's own string nodes, or returns null for anything else.
 */
export function grammarDialect(literal: (node: Node) => ReadonlyArray<StringPart<Node>> | null): StringDialect<Node> {
  return {
    parts(node) {
      const own = literal(node);
      if (own) return own;
      if (node.type === 'binary_expression') {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (node.childForFieldName('operator')?.type !== '+' || !left || !right) return null;
        return [{ operand: left }, { operand: right }];
      }
      if (node.type === 'parenthesized_expression') {
        const inner = node.namedChild(0);
        return inner ? [{ operand: inner }] : null;
      }
      return null;
    },
    name(node) {
      return node.type === 'identifier' ? node.text : null;
    },
    position: positionOf,
  };
}
