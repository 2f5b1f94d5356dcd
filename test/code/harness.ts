import { join } from 'node:path';
import { expect } from 'vitest';
import { findCredentialUses, GrammarCache } from '../../src/code/index.js';
import type { CredentialUse } from '../../src/model/application.js';
import type { Finding } from '../../src/model/finding.js';
import { copyFixture, openRepo } from '../helpers/repo.js';

/** The fixture folders: `fixtures/code/<name>`. */
export const fixturesRoot = join(import.meta.dirname, '..', '..', 'fixtures', 'code');

/** One expected use, from a `ruleid:` marker on the line above it. */
export interface Expectation {
  readonly file: string;
  readonly line: number;
  readonly category: string;
  readonly selection: string | null;
  readonly test: boolean;
  readonly detail: string | null;
}

const selections = new Set(['client-id', 'resource-id', 'object-id', 'system-assigned/default', 'unknown']);
const marker = /(?:\/\/|#|\/\*)\s*(ruleid|ok)\b:?\s*(.*?)\s*(?:\*\/)?$/;

/**
 * Reads semgrep-style markers: `// ruleid: <category> [selection] [test] ["detail part"]` (several separated by `;`)
 * announces the uses on the next non-marker line; `// ok: why` announces a line with no use.
 */
export function readMarkers(file: string, text: string): { expected: Expectation[]; ok: number[] } {
  const lines = text.split(/\r?\n/);
  const expected: Expectation[] = [];
  const ok: number[] = [];
  lines.forEach((line, index) => {
    const match = marker.exec(line);
    if (!match) return;
    let target = index + 1;
    while (target < lines.length && marker.test(lines[target] ?? '')) target++;
    if (match[1] === 'ok') {
      ok.push(target + 1);
      return;
    }
    for (const spec of (match[2] ?? '').split(';')) {
      const tokens = spec.match(/"[^"]*"|\S+/g) ?? [];
      const [category, ...rest] = tokens;
      if (!category) continue;
      expected.push({
        file,
        line: target + 1,
        category,
        selection: rest.find((token) => selections.has(token)) ?? null,
        test: rest.includes('test'),
        detail: rest.find((token) => token.startsWith('"'))?.slice(1, -1) ?? null,
      });
    }
  });
  return { expected, ok };
}

/** Scans one fixture folder and returns what it found and what its markers expect. */
export async function scanFixture(
  name: string,
  grammars: GrammarCache,
): Promise<{ uses: CredentialUse[]; findings: readonly Finding[]; expected: Expectation[]; ok: Array<{ file: string; line: number }> }> {
  const { repo, sink } = openRepo(copyFixture(join(fixturesRoot, name)));
  const uses = await findCredentialUses(repo, sink, { grammars });
  const expected: Expectation[] = [];
  const ok: Array<{ file: string; line: number }> = [];
  for (const file of repo.files) {
    const text = repo.read(file.path)?.text ?? '';
    const markers = readMarkers(file.path, text);
    expected.push(...markers.expected);
    ok.push(...markers.ok.map((line) => ({ file: file.path, line })));
  }
  return { uses, findings: sink.all, expected, ok };
}

const key = (file: string, line: number, category: string): string => `${file}:${line} ${category}`;

/**
 * Asserts that a folder's uses are exactly its markers: the same (file, line, category) multiset, the selection,
 * test flag and detail part each marker names, and nothing on `ok` lines.
 */
export async function expectFixture(name: string, grammars: GrammarCache): Promise<{ uses: CredentialUse[]; findings: readonly Finding[] }> {
  const { uses, findings, expected, ok } = await scanFixture(name, grammars);
  expect(uses.map((use) => key(use.file, use.line, use.category)).sort()).toEqual(expected.map((item) => key(item.file, item.line, item.category)).sort());
  for (const item of expected) {
    const matching = uses.filter((use) => use.file === item.file && use.line === item.line && use.category === item.category);
    const where = `${key(item.file, item.line, item.category)}: ${JSON.stringify(matching)}`;
    if (item.selection) expect(matching.some((use) => use.selection === item.selection), where).toBe(true);
    expect(matching.every((use) => use.test === item.test), where).toBe(true);
    if (item.detail) expect(matching.some((use) => use.detail.includes(item.detail ?? '')), where).toBe(true);
  }
  for (const line of ok) expect(uses.filter((use) => use.file === line.file && use.line === line.line), `${line.file}:${line.line} is marked ok`).toEqual([]);
  expect(expected.length, 'a fixture folder with no positive markers proves nothing').toBeGreaterThan(0);
  return { uses, findings };
}
