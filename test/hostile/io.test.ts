import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { readBaseline } from '../../src/check/baseline.js';
import { decodeUtf8, escapeBytes, readRegularFile } from '../../src/io/read-file.js';
import { Repo } from '../../src/walk/repo.js';
import { isInside, walk } from '../../src/walk/walk.js';
import { tempDir, writeTree } from '../helpers/repo.js';

/** Reading on hostile ground: what is read, what is refused and how, file by file. */

const listing = (root: string) => walk({ root, only: [], exclude: [], defaultExcludes: true });

describe('readRegularFile', () => {
  it('refuses a FIFO without blocking, a device, a folder and /proc, and reads at most the cap plus one byte', () => {
    const root = tempDir();
    execFileSync('mkfifo', [join(root, 'fifo')]);
    writeFileSync(join(root, 'big'), 'x'.repeat(100));
    expect(readRegularFile(join(root, 'fifo'), { maxBytes: 10 })).toMatchObject({ ok: false, reason: 'not-regular', detail: 'a FIFO, not a regular file' });
    expect(readRegularFile('/dev/zero', { maxBytes: 10 })).toMatchObject({ ok: false, reason: 'not-regular', detail: 'a device, not a regular file' });
    expect(readRegularFile(root, { maxBytes: 10 })).toMatchObject({ ok: false, reason: 'not-regular' });
    expect(readRegularFile('/proc/self/status', { maxBytes: 1 << 20 })).toMatchObject({ ok: false, reason: 'pseudo' });
    expect(readRegularFile('/proc/self/status', { maxBytes: 1 << 20, checkFilesystem: false })).toMatchObject({ ok: false, reason: 'pseudo', detail: 'it holds more bytes than its size (0) says' });
    expect(readRegularFile(join(root, 'big'), { maxBytes: 99 })).toMatchObject({ ok: false, reason: 'too-large', size: 100 });
    expect(readRegularFile(join(root, 'big'), { maxBytes: 100 })).toMatchObject({ ok: true, size: 100 });
    expect(readRegularFile(join(root, 'missing'), { maxBytes: 10 })).toMatchObject({ ok: false, reason: 'not-found' });
    symlinkSync(join(root, 'big'), join(root, 'link'));
    expect(readRegularFile(join(root, 'link'), { maxBytes: 100, noFollow: true })).toMatchObject({ ok: false, reason: 'symlink' });
  });

  it('decodes strictly and marks invalid UTF-8 with its line; escapes names byte by byte', () => {
    expect(decodeUtf8(Buffer.from('\ufeffa: é\n'))).toEqual({ text: 'a: é\n', bom: true, lossy: false, lossyLine: null });
    expect(decodeUtf8(Buffer.from([0x61, 0x0a, 0x62, 0xff, 0x0a]))).toEqual({ text: 'a\nb\ufffd\n', bom: false, lossy: true, lossyLine: 2 });
    expect(escapeBytes(Buffer.from([0x62, 0xff, 0xc3, 0xa9, 0x0a, 0x5c]))).toBe('b\\xffé\\x0a\\x5c');
  });
});

describe('the walk and Repo.read', () => {
  for (const method of ['filesystem', 'git'] as const) {
    it(`reports a name that is not UTF-8, escaped, instead of dropping it (${method})`, () => {
      const root = writeTree({ 'deploy/ok.yaml': 'kind: x\n' });
      writeFileSync(Buffer.from(`${root}/deploy/bad\xff.yaml`, 'latin1'), 'kind: x\n');
      mkdirSync(Buffer.from(`${root}/d\xfe`, 'latin1'));
      writeFileSync(Buffer.from(`${root}/d\xfe/in.yaml`, 'latin1'), 'kind: x\n');
      if (method === 'git') execFileSync('git', ['init', '-q'], { cwd: root });
      const result = listing(root);
      expect(result.method).toBe(method);
      expect(result.files.map((file) => file.path)).toEqual(['deploy/ok.yaml']);
      expect(result.skipped).toEqual(
        method === 'git'
          ? [{ path: 'd\\xfe/in.yaml', reason: 'invalid-name' }, { path: 'deploy/bad\\xff.yaml', reason: 'invalid-name' }]
          : [{ path: 'd\\xfe', reason: 'invalid-name' }, { path: 'deploy/bad\\xff.yaml', reason: 'invalid-name' }],
      );
    });
  }

  it('takes ..data and ...yaml as inside the root, and a link into ..data (a ConfigMap mount) as well', () => {
    const root = writeTree({ '..2026_01_01/app.yaml': 'kind: x\n', '...yaml': 'kind: y\n' });
    symlinkSync('..2026_01_01', join(root, '..data'));
    symlinkSync('..data/app.yaml', join(root, 'app.yaml'));
    expect(isInside(root, join(root, '..data'))).toBe(true);
    expect(isInside(root, join(root, '..', 'x'))).toBe(false);
    const result = listing(root);
    expect(result.files.map((file) => file.path)).toEqual(['...yaml', '..2026_01_01/app.yaml', 'app.yaml']);
    expect(result.skipped).toEqual([]);
  });

  it('reports a link to a FIFO as not regular, and refuses a file replaced by a FIFO after the walk', () => {
    const root = writeTree({ 'a.yaml': 'kind: x\n' });
    execFileSync('mkfifo', [join(root, 'pipe')]);
    symlinkSync('pipe', join(root, 'b.yaml'));
    const result = listing(root);
    expect(result.skipped).toEqual([{ path: 'b.yaml', reason: 'not-regular' }]);
    const repo = new Repo(root, result.files, result.skipped, 1024);
    execFileSync('rm', [join(root, 'a.yaml')]);
    execFileSync('mkfifo', [join(root, 'a.yaml')]);
    expect(repo.read('a.yaml')).toBeNull();
    expect(repo.skipped).toEqual([{ path: 'a.yaml', reason: 'not-regular' }, { path: 'b.yaml', reason: 'not-regular' }]);
  });

  it('checks the cap on the open file, not the size the walk saw', () => {
    const root = writeTree({ 'a.yaml': 'kind: x\n' });
    const result = listing(root);
    writeFileSync(join(root, 'a.yaml'), 'x'.repeat(4096));
    const repo = new Repo(root, result.files, [], 1024);
    expect(repo.read('a.yaml')).toBeNull();
    expect(repo.skipped).toEqual([{ path: 'a.yaml', reason: 'too-large', size: 4096 }]);
  });

  it('marks lossy text and lone-CR line breaks, keeping offsets', () => {
    const root = writeTree({ 'cr.yaml': 'a: 1\rb: 2\r', 'mixed.yaml': 'a: 1\rb: 2\n', 'crlf.yaml': 'a: 1\r\nb: 2\r\n', 'bad.yaml': Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]) });
    const result = listing(root);
    const repo = new Repo(root, result.files, [], 1024);
    expect(repo.read('cr.yaml')).toEqual({ path: 'cr.yaml', text: 'a: 1\nb: 2\n', bom: false, lineBreaks: 'cr' });
    expect(repo.read('mixed.yaml')).toEqual({ path: 'mixed.yaml', text: 'a: 1\nb: 2\n', bom: false, lineBreaks: 'mixed' });
    expect(repo.read('crlf.yaml')).toEqual({ path: 'crlf.yaml', text: 'a: 1\r\nb: 2\r\n', bom: false });
    expect(repo.read('bad.yaml')).toEqual({ path: 'bad.yaml', text: 'a: \ufffd\n', bom: false, lossy: { line: 1 } });
  });
});

describe('configuration and baseline files', () => {
  it('refuses what is not a regular file, and an alias bomb, with the option or file named', () => {
    const root = writeTree({ 'x.yaml': 'ignore: []\n' });
    expect(() => loadConfig(root, '/dev/zero')).toThrow('--config /dev/zero: a device, not a regular file');
    expect(() => loadConfig(root, root)).toThrow(`--config ${root}: a folder, not a file`);
    expect(() => loadConfig(root, '/proc/self/environ')).toThrow('--config /proc/self/environ: a file of the proc kernel filesystem');
    execFileSync('mkfifo', [join(root, '.pod2wi.yaml')]);
    expect(() => loadConfig(root)).toThrow('.pod2wi.yaml: cannot read the configuration file: a FIFO, not a regular file');
    const bomb = writeTree({ '.pod2wi.yaml': `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [${'*a, '.repeat(10)}*a]\nc: &c [${'*b, '.repeat(10)}*b]\nd: [${'*c, '.repeat(10)}*c]\n` });
    expect(() => loadConfig(bomb)).toThrow('.pod2wi.yaml: YAML aliases expand beyond 100 nodes; not a usable configuration file');
    const outside = writeTree({ 'shared.yaml': 'ignore: []\n' });
    const linked = tempDir();
    symlinkSync(join(outside, 'shared.yaml'), join(linked, '.pod2wi.yaml'));
    expect(() => loadConfig(linked)).toThrow('.pod2wi.yaml: a symbolic link that does not resolve to a file inside the scanned root');
  });

  it('reads a baseline only from a regular file', () => {
    expect(() => readBaseline('/dev/zero', '/dev/zero')).toThrow('--baseline /dev/zero: a device, not a regular file');
    const root = tempDir();
    expect(() => readBaseline(root, 'folder')).toThrow('--baseline folder: a folder, not a file');
    expect(() => readBaseline(join(root, 'none.json'), 'none.json')).toThrow('--baseline none.json: no such file (create it with --write-baseline)');
  });
});
