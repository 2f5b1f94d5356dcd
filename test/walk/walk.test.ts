import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Repo } from '../../src/walk/repo.js';
import { walk } from '../../src/walk/walk.js';
import { tempDir, writeTree } from '../helpers/repo.js';

const paths = (root: string, options: Partial<Parameters<typeof walk>[0]> = {}) =>
  walk({ root, only: [], exclude: [], defaultExcludes: true, ...options }).files.map((file) => file.path);

const tree = {
  '.gitignore': 'generated/\n*.log\n!keep.log\n',
  'app/deploy.yaml': 'kind: x\n',
  'app/.gitignore': 'local.yaml\n',
  'app/local.yaml': 'kind: x\n',
  'generated/out.yaml': 'kind: x\n',
  'debug.log': 'x',
  'keep.log': 'x',
  'node_modules/pkg/chart.yaml': 'kind: x\n',
  'vendor/lib/x.yaml': 'kind: x\n',
  'src/obj/cache.yaml': 'kind: x\n',
  'build/k8s/job.yaml': 'kind: x\n',
  'charts/tests/test.yaml': 'kind: x\n',
};

describe('walk', () => {
  it('honours nested .gitignore files, negation and the default exclusions without git', () => {
    const root = writeTree(tree);
    expect(paths(root)).toEqual(['.gitignore', 'app/.gitignore', 'app/deploy.yaml', 'build/k8s/job.yaml', 'charts/tests/test.yaml', 'keep.log']);
  });

  it('lists exactly what git ls-files does in a work tree', () => {
    const root = writeTree(tree);
    const plain = paths(root);
    execFileSync('git', ['init', '-q'], { cwd: root });
    const result = walk({ root, only: [], exclude: [], defaultExcludes: true });
    expect(result.method).toBe('git');
    expect(result.files.map((file) => file.path)).toEqual(plain);
  });

  it("takes the regular files of git's index without a stat, and settles what the work tree holds when it reads them", () => {
    const outside = writeTree({ 'secret.yaml': 'kind: Secret\n' });
    const root = writeTree({ 'a.yaml': 'kind: A\n', 'b.yaml': 'kind: B\n', 'c.yaml': 'kind: C\n', 'sparse/d.yaml': 'kind: D\n' });
    symlinkSync(join(root, 'a.yaml'), join(root, 'alias.yaml'));
    symlinkSync(join(outside, 'secret.yaml'), join(root, 'escape.yaml'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: root, stdio: 'ignore' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '--no-gpg-sign', '-m', 'tree');
    // After the commit: one file deleted, one replaced by a link that leaves the root, one left out of a sparse
    // checkout, one new and untracked.
    rmSync(join(root, 'c.yaml'));
    rmSync(join(root, 'b.yaml'));
    symlinkSync(join(outside, 'secret.yaml'), join(root, 'b.yaml'));
    git('update-index', '--skip-worktree', 'sparse/d.yaml');
    rmSync(join(root, 'sparse'), { recursive: true });
    writeFileSync(join(root, 'new.yaml'), 'kind: New\n');

    const result = walk({ root, only: [], exclude: [], defaultExcludes: true });
    expect(result.method).toBe('git');
    expect(result.files.map((file) => [file.path, file.fromIndex === true])).toEqual([
      ['a.yaml', true],
      ['alias.yaml', false],
      ['b.yaml', true],
      ['c.yaml', true],
      ['new.yaml', false],
    ]);
    expect(result.skipped).toEqual([{ path: 'escape.yaml', reason: 'symlink-outside-root' }]);

    const repo = new Repo(root, result.files, result.skipped, 1024);
    expect(repo.read('a.yaml')?.text).toBe('kind: A\n');
    expect(repo.read('alias.yaml')?.text).toBe('kind: A\n');
    expect(repo.read('new.yaml')?.text).toBe('kind: New\n');
    // The link now at b.yaml is not followed out of the root; the deleted file is simply not there.
    expect(repo.read('b.yaml')).toBeNull();
    expect(repo.read('c.yaml')).toBeNull();
    expect(repo.skipped).toEqual([
      { path: 'b.yaml', reason: 'symlink-outside-root' },
      { path: 'escape.yaml', reason: 'symlink-outside-root' },
    ]);
  });

  it('applies --exclude patterns and can walk dependency folders on request', () => {
    const root = writeTree(tree);
    expect(paths(root, { exclude: ['charts/tests/', '*.log'] })).not.toContain('charts/tests/test.yaml');
    expect(paths(root, { exclude: ['charts/tests/', '*.log'] })).not.toContain('keep.log');
    expect(paths(root, { defaultExcludes: false })).toContain('node_modules/pkg/chart.yaml');
  });

  it('limits the walk to the given sub-paths', () => {
    const root = writeTree(tree);
    expect(paths(root, { only: ['app'] })).toEqual(['app/.gitignore', 'app/deploy.yaml']);
  });

  it('follows symlinks inside the root and refuses those leaving it', () => {
    const outside = writeTree({ 'secret.yaml': 'kind: Secret\n' });
    const root = writeTree({ 'real/a.yaml': 'kind: x\n' });
    symlinkSync(join(outside, 'secret.yaml'), join(root, 'escape.yaml'));
    symlinkSync(join(root, 'real', 'a.yaml'), join(root, 'alias.yaml'));
    symlinkSync(outside, join(root, 'escape-dir'));
    const result = walk({ root, only: [], exclude: [], defaultExcludes: true });
    expect(result.files.map((file) => file.path)).toEqual(['alias.yaml', 'real/a.yaml']);
    expect(result.skipped).toEqual([
      { path: 'escape-dir', reason: 'symlink-outside-root' },
      { path: 'escape.yaml', reason: 'symlink-outside-root' },
    ]);
  });
});

describe('Repo.read', () => {
  it('refuses binary files and files over the cap, and strips the BOM while remembering it', () => {
    const root = tempDir();
    mkdirSync(join(root, 'd'));
    writeFileSync(join(root, 'd', 'bin.yaml'), Buffer.from([0x6b, 0x69, 0x00, 0x6e]));
    writeFileSync(join(root, 'd', 'big.yaml'), 'x'.repeat(2048));
    writeFileSync(join(root, 'd', 'bom.yaml'), '\ufeffkind: Pod\r\n');
    const walked = walk({ root, only: [], exclude: [], defaultExcludes: true });
    const repo = new Repo(root, walked.files, walked.skipped, 1024);
    expect(repo.read('d/bin.yaml')).toBeNull();
    expect(repo.read('d/big.yaml')).toBeNull();
    expect(repo.read('d/bom.yaml')).toEqual({ path: 'd/bom.yaml', text: 'kind: Pod\r\n', bom: true });
    expect(repo.read('d/missing.yaml')).toBeNull();
    expect(repo.skipped).toEqual([
      { path: 'd/big.yaml', reason: 'too-large', size: 2048 },
      { path: 'd/bin.yaml', reason: 'binary', size: 4 },
    ]);
  });
});
