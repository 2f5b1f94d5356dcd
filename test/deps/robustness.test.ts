import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readApplications } from '../../src/deps/index.js';
import { FindingSink } from '../../src/model/findings-sink.js';
import { loadFindingCatalogue } from '../../src/rules/catalogue.js';
import { Repo } from '../../src/walk/repo.js';
import { writeTree } from '../helpers/repo.js';

const fixtures = fileURLToPath(new URL('../../fixtures/deps/', import.meta.url));

/** Every dependency file of the fixtures (node_modules trees aside), as path → text. */
function fixtureFiles(): { folder: string; files: Record<string, string> }[] {
  return readdirSync(fixtures).sort().map((name) => {
    const root = join(fixtures, name, 'repo');
    const files: Record<string, string> = {};
    const visit = (dir: string): void => {
      for (const entry of readdirSync(dir).sort()) {
        const path = join(dir, entry);
        if (entry === 'node_modules') continue;
        if (statSync(path).isDirectory()) visit(path);
        else files[relative(root, path).split('\\').join('/')] = readFileSync(path, 'utf8');
      }
    };
    visit(root);
    return { folder: name, files };
  });
}

describe('bad input never crashes the dependency stage', () => {
  const cases = fixtureFiles();
  const catalogue = loadFindingCatalogue();

  it('survives truncated and corrupted manifests and lockfiles (bounded property run)', () => {
    fc.assert(
      fc.property(
        fc.nat(cases.length - 1),
        fc.nat(),
        fc.nat(),
        fc.constantFrom('truncate', 'garbage', 'swap'),
        (caseIndex, fileIndex, position, mutation) => {
          const chosen = cases[caseIndex];
          if (!chosen) return;
          const paths = Object.keys(chosen.files);
          const path = paths[fileIndex % paths.length] ?? '';
          const text = chosen.files[path] ?? '';
          const at = text.length === 0 ? 0 : position % text.length;
          const mutated =
            mutation === 'truncate' ? text.slice(0, at) : mutation === 'garbage' ? `${text.slice(0, at)}{[<"'\u0000>]}${text.slice(at)}` : `${text.slice(at)}${text.slice(0, at)}`;
          // The Repo is built from the known file list (no walk, no git process): this runs many times.
          const files = { ...chosen.files, [path]: mutated };
          const root = writeTree(files);
          const listed = Object.keys(files).sort().map((name) => ({ path: name, absolute: join(root, ...name.split('/')) }));
          const repo = new Repo(root, listed, [], 5 * 1024 * 1024);
          const sink = new FindingSink(catalogue);
          expect(() => readApplications(repo, sink, { allDependencies: true })).not.toThrow();
        },
      ),
      { numRuns: 40, seed: 2024 },
    );
  });
});
