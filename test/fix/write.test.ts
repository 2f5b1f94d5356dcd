import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeChanges, type FileChange } from '../../src/fix/edit.js';
import { tempDir, writeTree } from '../helpers/repo.js';

const edit = (file: string, before: string, after: string, bom = false): FileChange => ({
  file,
  action: 'edit',
  before,
  after,
  bom,
  edits: [{ file, start: 0, end: before.length, expect: before, text: after, why: 'test' }],
});

describe('the writer', () => {
  it('writes atomically, keeps the mode and restores the BOM', () => {
    const root = writeTree({ 'a.yaml': '\ufeffa: 1\n' });
    chmodSync(join(root, 'a.yaml'), 0o640);
    expect(writeChanges(root, [edit('a.yaml', 'a: 1\n', 'a: 2\n', true)])).toEqual([]);
    expect(readFileSync(join(root, 'a.yaml'))).toEqual(Buffer.from('\ufeffa: 2\n'));
    expect(statSync(join(root, 'a.yaml')).mode & 0o777).toBe(0o640);
  });

  it('creates and deletes files', () => {
    const root = writeTree({ 'gone.yaml': 'kind: A\n', 'deploy/keep.yaml': 'x: 1\n' });
    const created: FileChange = { file: 'deploy/new.yaml', action: 'create', before: '', after: 'kind: B\n', bom: false, edits: [] };
    const deleted: FileChange = { file: 'gone.yaml', action: 'delete', before: 'kind: A\n', after: '', bom: false, edits: [] };
    expect(writeChanges(root, [created, deleted])).toEqual([]);
    expect(readFileSync(join(root, 'deploy/new.yaml'), 'utf8')).toBe('kind: B\n');
    expect(existsSync(join(root, 'gone.yaml'))).toBe(false);
  });

  it('refuses paths outside the root, symlinks, files changed since the scan and files that exist already', () => {
    const outside = tempDir();
    writeFileSync(join(outside, 'target.yaml'), 'a: 1\n');
    const root = writeTree({ 'a.yaml': 'a: 1\n', 'b.yaml': 'b: 1\n', 'real.yaml': 'a: 1\n' });
    symlinkSync(join(outside, 'target.yaml'), join(root, 'link.yaml'));
    symlinkSync(join(root, 'real.yaml'), join(root, 'inner-link.yaml'));
    symlinkSync(outside, join(root, 'elsewhere'));
    mkdirSync(join(root, 'sub'));
    const refused = writeChanges(root, [
      edit('../x.yaml', 'a: 1\n', 'a: 2\n'),
      edit('link.yaml', 'a: 1\n', 'a: 2\n'),
      edit('inner-link.yaml', 'a: 1\n', 'a: 2\n'),
      edit('elsewhere/target.yaml', 'a: 1\n', 'a: 2\n'),
      edit('a.yaml', 'a: 0\n', 'a: 2\n'),
      { file: 'b.yaml', action: 'create', before: '', after: 'b: 2\n', bom: false, edits: [] },
    ]);
    expect(refused.map((item) => item.file)).toEqual(['../x.yaml', 'link.yaml', 'inner-link.yaml', 'elsewhere/target.yaml', 'a.yaml', 'b.yaml']);
    expect(refused.map((item) => item.reason)).toEqual([
      expect.stringContaining('not a plain path'),
      expect.stringContaining('symbolic link'),
      expect.stringContaining('symbolic link'),
      expect.stringContaining('outside the scanned root'),
      expect.stringContaining('changed on disk'),
      expect.stringContaining('already exists'),
    ]);
    expect(readFileSync(join(outside, 'target.yaml'), 'utf8')).toBe('a: 1\n');
    expect(readFileSync(join(root, 'real.yaml'), 'utf8')).toBe('a: 1\n');
    expect(readFileSync(join(root, 'a.yaml'), 'utf8')).toBe('a: 1\n');
  });
});
