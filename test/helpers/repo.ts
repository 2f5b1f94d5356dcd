import { mkdtempSync, mkdirSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';
import { FindingSink } from '../../src/model/findings-sink.js';
import { loadFindingCatalogue } from '../../src/rules/catalogue.js';
import { Repo } from '../../src/walk/repo.js';
import { walk } from '../../src/walk/walk.js';
import { defaultMaxFileSize, type ScanOptions } from '../../src/run.js';

const created: string[] = [];

afterEach(() => {
  while (created.length > 0) rmSync(created.pop() ?? '', { recursive: true, force: true });
});

/** A temporary folder removed after the test. */
export function tempDir(prefix = 'pod2wi-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Writes `files` (path → content) into a fresh temporary folder and returns it. */
export function writeTree(files: Readonly<Record<string, string | Uint8Array>>): string {
  const dir = tempDir();
  for (const [path, content] of Object.entries(files)) {
    const target = join(dir, ...path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return dir;
}

/** Copies a fixture folder into a temporary folder (so git and .gitignore of this repository play no part). */
export function copyFixture(source: string): string {
  const dir = tempDir();
  cpSync(source, dir, { recursive: true });
  return dir;
}

/** A walked Repo over a folder, with a finding sink, as the stages receive them. */
export function openRepo(root: string, maxFileSize = 5 * 1024 * 1024): { repo: Repo; sink: FindingSink } {
  const walked = walk({ root, only: [], exclude: [], defaultExcludes: true });
  return { repo: new Repo(root, walked.files, walked.skipped, maxFileSize), sink: new FindingSink(loadFindingCatalogue()) };
}

/** Shorthand: a Repo over in-memory files. */
export function repoOf(files: Readonly<Record<string, string | Uint8Array>>): { repo: Repo; sink: FindingSink; root: string } {
  const root = writeTree(files);
  return { ...openRepo(root), root };
}

/** The options `pod2wi scan PATHS` runs with from `cwd` when no flag is given, plus `overrides`. */
export function scanOptionsFor(cwd: string, paths: readonly string[], overrides: Partial<ScanOptions> = {}): ScanOptions {
  return {
    paths,
    cwd,
    exclude: [],
    defaultExcludes: true,
    maxFileSize: defaultMaxFileSize,
    namespace: null,
    forceNamespaced: false,
    allDependencies: false,
    ...overrides,
  };
}
