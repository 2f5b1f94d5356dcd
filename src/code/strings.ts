import type { FactsBuilder, Position, Segment } from './facts.js';
import { hole } from './facts.js';

/** One piece of a string-valued syntax node: literal text, a sub-expression to evaluate, or a run-time value. */
export type StringPart<N> = { readonly literal: string } | { readonly operand: N } | { readonly hole: true };

/**
 * How one parser spells string values: literals, concatenation, interpolation, and plain names. Generic over the
 * node type, so the TypeScript compiler's nodes and tree-sitter's share one evaluator.
 */
export interface StringDialect<N> {
  /** The parts of a string-valued node; null when the node is not one (a call, a number, a name...). */
  parts(node: N): ReadonlyArray<StringPart<N>> | null;
  /** The name a node refers to when it may be a constant of the file (`IMDS`; `self.IMDS` is not). */
  name(node: N): string | null;
  position(node: N): Position;
}

/** Constants are followed this deep (`A = B + "/x"`, `B = C`...), so cycles and long chains stay cheap. */
const maxDepth = 4;

/**
 * Joins a string-valued node into segments, substituting constants of the same file. Literal text of the node
 * itself is `own`; text reached through a constant is not, so a request is reported where its URL is written.
 * Iterative, with one frame per open string node: a concatenation or parenthesis nested 100,000 deep in generated
 * code costs time in proportion to its size, never the call stack (and no frame copies another's segments).
 */
export function evaluateString<N>(node: N, dialect: StringDialect<N>, constants: ReadonlyMap<string, N>, depth = 0): Segment[] | null {
  const top = dialect.parts(node);
  if (!top) return null;
  const segments: Segment[] = [];
  // `depth` counts constants followed (not operands): text is the node's own only at depth 0.
  const stack: Array<{ readonly parts: ReadonlyArray<StringPart<N>>; index: number; readonly depth: number }> = [{ parts: top, index: 0, depth }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (!frame || frame.index >= frame.parts.length) {
      stack.pop();
      continue;
    }
    const part = frame.parts[frame.index++];
    if (!part) continue;
    if ('literal' in part) {
      segments.push({ text: part.literal, own: frame.depth === 0 });
      continue;
    }
    if ('hole' in part) {
      segments.push({ text: hole, own: false });
      continue;
    }
    const direct = dialect.parts(part.operand);
    if (direct) {
      stack.push({ parts: direct, index: 0, depth: frame.depth });
      continue;
    }
    const name = dialect.name(part.operand);
    const value = name === null ? undefined : constants.get(name);
    const resolved = value !== undefined && frame.depth < maxDepth ? dialect.parts(value) : null;
    if (resolved) stack.push({ parts: resolved, index: 0, depth: frame.depth + 1 });
    else segments.push({ text: hole, own: false });
  }
  return segments;
}

/** A string-valued node found during the walk, evaluated once every constant of the file is known. */
export interface StringCandidate<N> {
  readonly node: N;
  readonly message: boolean;
}

/** Evaluates the candidates and keeps those with literal text of their own. */
export function recordStrings<N>(
  candidates: ReadonlyArray<StringCandidate<N>>,
  dialect: StringDialect<N>,
  constants: ReadonlyMap<string, N>,
  facts: FactsBuilder,
): void {
  for (const candidate of candidates) {
    const segments = evaluateString(candidate.node, dialect, constants);
    if (!segments || !segments.some((segment) => segment.own && segment.text.length > 0)) continue;
    facts.strings.push({ at: dialect.position(candidate.node), segments, message: candidate.message });
  }
}

/** The literal value of a node when it is a plain string without holes (environment names and values). */
export function literalValue<N>(node: N, dialect: StringDialect<N>): string | null {
  const segments = evaluateString(node, dialect, new Map<string, N>());
  if (!segments || segments.some((segment) => segment.text === hole)) return null;
  return segments.map((segment) => segment.text).join('');
}
