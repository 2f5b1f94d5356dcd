import type { RenderProblem } from '../../k8s/files.js';
import { compareStrings } from '../../model/location.js';
import type { Origin, RNode, RUnknown, ScalarPart, ScalarRef, Unknown } from '../../k8s/rendered.js';
import type { AddonException, AddonIdentity, AddonProblemCode, AddonRead, ClusterSetting } from './types.js';

/** What one reader adds while it reads; mutable inside a read only, never shared between reads. */
export class AddonCollector {
  readonly identities: AddonIdentity[] = [];
  readonly exceptions: AddonException[] = [];
  readonly settings: ClusterSetting[] = [];
  readonly problems: RenderProblem[] = [];

  problem(code: AddonProblemCode, at: Origin, message: string): void {
    this.problems.push({ code, at, message });
  }

  /** Everything collected, sorted by place (then by name) so output is the same run to run. */
  result(): AddonRead {
    const byPlace = <T extends { readonly at: Origin }>(items: readonly T[], key: (item: T) => string): T[] =>
      [...items].sort((a, b) => compareOrigins(a.at, b.at) || compareStrings(key(a), key(b)));
    return {
      identities: dedupe(byPlace(this.identities, (item) => `${item.name.display}\u0000${item.action}`), (item) => `${originKey(item.at)}\u0000${item.name.display}\u0000${item.action}\u0000${item.source}`),
      exceptions: dedupe(byPlace(this.exceptions, (item) => `${item.name.display}\u0000${item.action}`), (item) => `${originKey(item.at)}\u0000${item.name.display}\u0000${item.action}\u0000${item.source}`),
      settings: dedupe(byPlace(this.settings, (item) => item.setting), (item) => `${originKey(item.at)}\u0000${item.setting}\u0000${String(item.enabled)}`),
      problems: dedupe(byPlace(this.problems, (item) => `${item.code}\u0000${item.message}`), (item) => `${originKey(item.at)}\u0000${item.code}\u0000${item.message}`),
    };
  }

  /** Takes everything another collector found (a module or nested template read on its own). */
  absorb(other: AddonRead): void {
    this.identities.push(...other.identities);
    this.exceptions.push(...other.exceptions);
    this.settings.push(...other.settings);
    this.problems.push(...other.problems);
  }
}

export function compareOrigins(a: Origin, b: Origin): number {
  return compareStrings(a.file, b.file) || a.line - b.line || a.column - b.column;
}

function originKey(origin: Origin): string {
  return `${origin.file}:${origin.line}:${origin.column}`;
}

function dedupe<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Computed values longer than this are not built (they stay unknown). */
export const maxValueLength = 65_536;

/** A value the readers cannot know, as a ScalarRef. */
export function unknownRef(expression: string, reason: string, origin: Origin): ScalarRef {
  const unknown: Unknown = { expression, reason, origin };
  return { value: null, display: `{{ ${expression} }}`, origin, unknowns: [unknown] };
}

/** A literal value as a ScalarRef. */
export function knownRef(value: string, origin: Origin): ScalarRef {
  return { value, display: value, origin, unknowns: [] };
}

/** An unknown node with one part. */
export function unknownNode(expression: string, reason: string, origin: Origin): RUnknown {
  return { kind: 'unknown', parts: [{ unknown: { expression, reason, origin } }], origin: { ...origin, span: null } };
}

/**
 * Joins pieces of text (known or not) into one node: a scalar when every piece is known, else an unknown whose parts
 * keep each piece's origin. `origin` is where the whole value is written.
 */
export function joinParts(parts: readonly ScalarPart[], origin: Origin, via: string): RNode {
  const merged: ScalarPart[] = [];
  let length = 0;
  for (const part of parts) {
    const last = merged[merged.length - 1];
    if ('text' in part) length += part.text.length;
    // Templates can double a string at each step; a value this long is no name or ID, so it is not built.
    if (length > maxValueLength) return unknownNode(via, `a computed value longer than ${maxValueLength} characters`, origin);
    if ('text' in part && part.text === '') continue;
    if (last && 'text' in last && 'text' in part) merged[merged.length - 1] = { text: last.text + part.text, origin: last.origin };
    else merged.push(part);
  }
  if (merged.every((part) => 'text' in part)) {
    const text = merged.map((part) => ('text' in part ? part.text : '')).join('');
    const only = parts.length === 1 ? parts[0] : undefined;
    if (only && 'text' in only) return { kind: 'scalar', value: text, origin: only.origin };
    return { kind: 'scalar', value: text, origin: { ...origin, span: null, via }, parts: merged };
  }
  return { kind: 'unknown', parts: merged, origin: { ...origin, span: null, via } };
}

/** The pieces of a scalar or unknown node as text parts (a scalar is one part); null for maps and sequences. */
export function partsOf(node: RNode): ScalarPart[] | null {
  if (node.kind === 'scalar') return node.parts ? [...node.parts] : [{ text: node.value === null ? '' : String(node.value), origin: node.origin }];
  if (node.kind === 'unknown') return [...node.parts];
  return null;
}

/** The first line of a text, shortened for a message. */
export function brief(text: string, max = 80): string {
  const line = text.split('\n')[0]?.trim() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Runs one file's reader; an exception it did not expect becomes a problem at the file, and the run goes on. */
export function isolate(collector: AddonCollector, file: string, source: Origin['source'], read: () => void): void {
  try {
    read();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    collector.problem('addon-reader-failed', { source, file, line: 1, column: 1, span: null }, `could not read ${file}: ${brief(message, 200)}`);
  }
}

/** Same as {@link isolate} for readers that wait (tree-sitter grammars load asynchronously). */
export async function isolateAsync(collector: AddonCollector, file: string, source: Origin['source'], read: () => Promise<void>): Promise<void> {
  try {
    await read();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    collector.problem('addon-reader-failed', { source, file, line: 1, column: 1, span: null }, `could not read ${file}: ${brief(message, 200)}`);
  }
}
