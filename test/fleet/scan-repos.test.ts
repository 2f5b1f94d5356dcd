import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { worseStatus } from '../../src/cli/scan-repos.js';
import { parseReposFile, reportStem, repositoryName } from '../../src/fleet/repos-file.js';
import { expectGolden } from '../helpers/golden.js';
import { captureIo } from '../helpers/io.js';
import { tempDir, writeTree } from '../helpers/repo.js';
import { validateFleetReport, validateScanReport } from '../helpers/schema.js';

const fleet = new URL('../../fixtures/fleet/', import.meta.url).pathname;

const deployment = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: shop
spec:
  template:
    metadata:
      labels: {app: ${name}, aadpodidbinding: ${name}}
    spec:
      containers: [{name: ${name}, image: contoso/${name}:1}]
`;

describe('repositories files', () => {
  it('reads one path a line, skipping blank lines and comments, with line numbers', () => {
    expect(parseReposFile('\uFEFF# fleet\r\ncontoso/a\r\n\n  contoso/b   # the billing one\n#contoso/c\npath#with-hash\n\t\n')).toEqual([
      { line: 2, path: 'contoso/a' },
      { line: 4, path: 'contoso/b' },
      { line: 6, path: 'path#with-hash' },
    ]);
  });

  it('names repositories by their path and gives their reports stable, distinct file names', () => {
    expect(repositoryName('./contoso/orders-api/')).toBe('contoso/orders-api');
    expect(repositoryName('.')).toBe('.');
    expect(repositoryName('contoso//orders')).toBe('contoso/orders');
    expect(reportStem('contoso/orders-api')).toBe('contoso__orders-api');
    expect(reportStem('../checkouts/api')).toBe('_up__checkouts__api');
    expect(reportStem('.')).toBe('_');
    expect(reportStem('/srv/git/a b')).toBe('__srv__git__a-b');
    expect(reportStem('.hidden')).toBe('_hidden');
    const long = `x/${'a'.repeat(300)}`;
    expect(Buffer.byteLength(`${reportStem(long)}.json`)).toBeLessThanOrEqual(255);
    expect(reportStem(long)).not.toBe(reportStem(`y/${'a'.repeat(300)}`));
  });

  it('takes the worst exit status: internal over usage over nothing scanned', () => {
    expect([0, 4, 2, 3].reduce(worseStatus, 0)).toBe(3);
    expect([0, 4, 2].reduce(worseStatus, 0)).toBe(2);
    expect([4, 0].reduce(worseStatus, 0)).toBe(4);
  });
});

describe('pod2wi scan --repos-file', () => {
  it('scans the fixture fleet into one report per repository, and merge gives the golden fleet report', async () => {
    const dir = tempDir();
    cpSync(fleet, dir, { recursive: true });
    const scanIo = captureIo(dir);
    expect(await runCli(['scan', '--repos-file', 'repositories.txt', '--format', 'text', '--format', 'json=reports/'], scanIo)).toBe(4);
    expect(scanIo.err()).toContain('pod2wi: repositories.txt:10: fabrikam/docs: 1 file walked, but no Kubernetes manifest');
    expect(scanIo.err()).toContain('pod2wi: scanned 7 of 8 repositories listed in repositories.txt; failed: repositories.txt:10');
    const reports = readdirSync(join(dir, 'reports')).sort();
    expect(reports).toEqual([
      'contoso__catalog.json',
      'contoso__orders-api.json',
      'contoso__payments.json',
      'contoso__reporting.json',
      'fabrikam__billing.json',
      'fabrikam__edge.json',
      'fabrikam__gitops.json',
    ]);
    for (const file of reports) {
      const report = JSON.parse(readFileSync(join(dir, 'reports', file), 'utf8')) as { root: string };
      expect(validateScanReport(report)).toEqual([]);
      expect(reportStem(report.root)).toBe(file.replace(/\.json$/, ''));
    }
    // Text reports in list order, each starting with its own header line.
    const headers = scanIo.out().split('\n').filter((line) => line.startsWith('pod2wi 0.1.0 · '));
    expect(headers.map((line) => line.split(' · ')[1])).toEqual(['contoso/orders-api', 'contoso/payments', 'contoso/reporting', 'contoso/catalog', 'fabrikam/gitops', 'fabrikam/billing', 'fabrikam/edge']);

    const mergeIo = captureIo(dir);
    expect(await runCli(['merge', 'reports/', '--repos-file', 'repositories.txt', '--format', 'markdown=fleet.md', '--format', 'json=fleet.json'], mergeIo)).toBe(1);
    expect(mergeIo.err()).toBe('pod2wi: repositories.txt:10: fabrikam/docs: no report\n');
    const json = readFileSync(join(dir, 'fleet.json'), 'utf8');
    expect(validateFleetReport(JSON.parse(json))).toEqual([]);
    expectGolden(join(fleet, 'expected', 'fleet.json'), json);
    expectGolden(join(fleet, 'expected', 'fleet.md'), readFileSync(join(dir, 'fleet.md'), 'utf8'));
  }, 60_000);

  it('goes on past a missing path, a repeated repository and a report-name clash, naming FILE:line, and exits 2', async () => {
    const dir = writeTree({
      'checkouts/api/deploy.yaml': deployment('api'),
      'checkouts/web/deploy.yaml': deployment('web'),
      'checkouts/a-b/deploy.yaml': deployment('ab'),
      'lists/repos.txt': '# relative to this folder\n../checkouts/api\n../checkouts/nope\n../checkouts/./api/\n../checkouts/web\n../checkouts/a b\n../checkouts/a-b\n',
    });
    const io = captureIo(dir);
    expect(await runCli(['scan', '--repos-file', 'lists/repos.txt', '-f', 'json=out/', '-f', 'text=text/'], io)).toBe(2);
    expect(io.err()).toContain('pod2wi: lists/repos.txt:3: ../checkouts/nope: no such folder');
    expect(io.err()).toContain('pod2wi: lists/repos.txt:4: ../checkouts/./api/: the same repository as line 2 (../checkouts/api); listed twice');
    expect(io.err()).toContain('pod2wi: lists/repos.txt:7: ../checkouts/a-b: its report _up__checkouts__a-b.json would overwrite the one of line 6 (../checkouts/a b)');
    expect(io.err()).toContain('pod2wi: lists/repos.txt:6: ../checkouts/a b: no such folder');
    expect(io.err()).toContain('scanned 2 of 6 repositories listed in lists/repos.txt; failed: lists/repos.txt:7, lists/repos.txt:3, lists/repos.txt:4, lists/repos.txt:6');
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['_up__checkouts__api.json', '_up__checkouts__web.json']);
    expect(readdirSync(join(dir, 'text')).sort()).toEqual(['_up__checkouts__api.txt', '_up__checkouts__web.txt']);
    const report = JSON.parse(readFileSync(join(dir, 'out', '_up__checkouts__api.json'), 'utf8')) as { root: string; workloads: { id: string }[] };
    expect(report.root).toBe('../checkouts/api');
    expect(report.workloads.map((workload) => workload.id)).toEqual(['Deployment/shop/api']);
    expect(io.out()).toBe('');
  });

  it('refuses what does not fit several repositories, before scanning any', async () => {
    const dir = writeTree({ 'a/deploy.yaml': deployment('a'), 'repos.txt': 'a\n', 'empty.txt': '# nothing\n' });
    const cases: [string[], string][] = [
      [['--repos-file', 'repos.txt', 'a'], '--repos-file and PATH (a) do not go together'],
      [['--repos-file', 'repos.txt', '-f', 'json'], 'with --repos-file, json goes to one file per repository: give a folder, --format json=DIR/'],
      [['--repos-file', 'repos.txt', '-f', 'json=report.json'], '--format json=report.json: with --repos-file, name a folder ending in /'],
      [['--repos-file', 'repos.txt', '--app', 'a'], '--app describes one repository'],
      [['--repos-file', 'repos.txt', '--config', 'x.yaml'], "each repository's own .pod2wi.yaml is read"],
      [['--repos-file', 'missing.txt'], '--repos-file missing.txt: no such file'],
      [['--repos-file', 'empty.txt'], '--repos-file empty.txt: lists no repository'],
      [['--repos-file', 'repos.txt', '-f', 'json=no/such/'], '--format json no/such/: the folder'],
    ];
    for (const [args, message] of cases) {
      const io = captureIo(dir);
      expect(await runCli(['scan', ...args], io), args.join(' ')).toBe(2);
      expect(io.err()).toContain(message);
      expect(existsSync(join(dir, 'report.json'))).toBe(false);
    }
  });

  it('teaches --repos-file in --help', async () => {
    const io = captureIo(tempDir());
    expect(await runCli(['scan', '--help'], io)).toBe(0);
    expect(io.out()).toContain('--repos-file <file>');
    expect(io.out()).toContain('pod2wi scan --repos-file checkouts/repositories.txt --format text --format json=reports/');
    expect(io.out()).toContain('With --repos-file, the worst over the repositories');
  });
});
