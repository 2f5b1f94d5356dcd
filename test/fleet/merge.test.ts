import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { compareNatural, mergeReports, type NamedReport } from '../../src/fleet/merge.js';
import { parseScanReport, type MergeInput } from '../../src/fleet/read-report.js';
import { renderFleetMarkdown } from '../../src/report/fleet-markdown.js';
import { captureIo } from '../helpers/io.js';
import { tempDir, writeTree } from '../helpers/repo.js';
import { validateFleetReport } from '../helpers/schema.js';

const deployment = (name: string, label = true, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: shop
spec:
  template:
    metadata:
      labels: {app: ${name}${label ? `, aadpodidbinding: ${name}` : ''}}
    spec:${extra}
      containers: [{name: ${name}, image: contoso/${name}:1}]
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata: {name: ${name}, namespace: shop}
spec:
  type: 0
  clientID: 11111111-2222-4333-8444-555555555555
  resourceID: /subscriptions/3e0b7c55-8d4a-4f2e-9c61-0a1b2c3d4e5f/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-${name}
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata: {name: ${name}-binding, namespace: shop}
spec: {azureIdentity: ${name}, selector: ${name}}
`;

/** Two repositories side by side, each scanned by its path into reports/. */
async function scannedFleet(): Promise<string> {
  const dir = writeTree({
    'repos/api/deploy.yaml': deployment('api'),
    'repos/web/deploy.yaml': deployment('web', true, '\n      hostNetwork: true'),
    'repos/web/requirements.txt': 'azure-identity==1.6.0\nadal==1.2.7\n',
    'repos.txt': 'repos/api\nrepos/web\n',
  });
  expect(await runCli(['scan', '--repos-file', 'repos.txt', '-f', 'json=reports/'], captureIo(dir))).toBe(0);
  return dir;
}

describe('pod2wi merge', () => {
  it('is byte-identical whatever the order of its inputs, and valid against the schema', async () => {
    const dir = await scannedFleet();
    const first = captureIo(dir);
    const second = captureIo(dir);
    expect(await runCli(['merge', 'reports/repos__api.json', 'reports/repos__web.json', '-f', 'json'], first)).toBe(0);
    expect(await runCli(['merge', 'reports/repos__web.json', 'reports/', '-f', 'json'], second)).toBe(0);
    expect(second.out()).toBe(first.out());
    const fleet = JSON.parse(first.out()) as { repositories: { name: string }[]; identities: { alsoBoundIn: string[] }[] };
    expect(validateFleetReport(fleet)).toEqual([]);
    expect(fleet.repositories.map((row) => row.name)).toEqual(['repos/api', 'repos/web']);
    // Both repositories bind the same client ID: each row names the other.
    expect(fleet.identities.map((row) => row.alsoBoundIn)).toEqual([['repos/web'], ['repos/api']]);
    const markdown = captureIo(dir);
    expect(await runCli(['merge', 'reports/'], markdown)).toBe(0);
    expect(markdown.out()).toMatch(/^# pod2wi fleet report\n/);
    expect(markdown.out()).toContain('| `blocked-host-network` | 1 | `repos/web` |');
    expect(markdown.out()).toContain('| `adal` | legacy (IMDS only) | 1.2.7 |');
  });

  it('stops on input that is not a pod2wi scan report, naming every such file, and writes nothing', async () => {
    const dir = await scannedFleet();
    const api = readFileSync(join(dir, 'reports', 'repos__api.json'), 'utf8');
    const broken = JSON.parse(api) as { workloads: { migration: { path: string } }[] };
    (broken.workloads[0] as { migration: { path: string } }).migration.path = 'sideways';
    writeFileSync(join(dir, 'not-json.json'), '{"schemaVersion": 1,');
    writeFileSync(join(dir, 'other-tool.json'), '{"version": "2.1.0", "results": []}');
    writeFileSync(join(dir, 'array.json'), '[]');
    writeFileSync(join(dir, 'v2.json'), api.replace('"schemaVersion": 1', '"schemaVersion": 2'));
    writeFileSync(join(dir, 'broken.json'), JSON.stringify(broken));
    writeFileSync(join(dir, 'check.json'), JSON.stringify({ schemaVersion: 1, tool: { name: 'pod2wi', version: '0.1.0' }, root: '.', failOn: 'error', passed: true }));
    const io = captureIo(dir);
    const inputs = ['reports/', 'not-json.json', 'other-tool.json', 'array.json', 'v2.json', 'broken.json', 'check.json', 'absent.json'];
    expect(await runCli(['merge', ...inputs, '-f', 'json=fleet.json'], io)).toBe(2);
    const lines = io.err().trim().split('\n');
    expect(lines).toEqual([
      'pod2wi: absent.json: no such file or folder',
      expect.stringMatching(/^pod2wi: not-json\.json: not JSON \(/),
      'pod2wi: other-tool.json: not a pod2wi report (no "tool": {"name": "pod2wi"}); write one with pod2wi scan --format json',
      'pod2wi: array.json: not a pod2wi scan report (the JSON is not an object)',
      'pod2wi: v2.json: schemaVersion 2: this pod2wi reads scan reports of schemaVersion 1',
      expect.stringMatching(/^pod2wi: broken\.json: not a valid pod2wi scan report: workloads\[0\]\.migration\.path: /),
      'pod2wi: check.json: a pod2wi check report; merge reads scan reports (pod2wi scan --format json)',
      'pod2wi: nothing merged: 7 of the inputs are not usable (see above)',
    ]);
    expect(existsSync(join(dir, 'fleet.json'))).toBe(false);

    writeFileSync(join(dir, 'reports', 'fleet.json'), readFileSync(join(dir, 'reports', 'repos__api.json'), 'utf8'));
    const fleetIo = captureIo(dir);
    // A report copied under another name is a second report of the same repository.
    expect(await runCli(['merge', 'reports/', '-f', 'json=reports/fleet.json'], fleetIo)).toBe(2);
    expect(fleetIo.err()).toContain('pod2wi: reports/repos__api.json: repository "repos/api" again: reports/fleet.json is a report of it too (pass one of them');
    const merged = captureIo(dir);
    const empty = mergeReports([]);
    expect(validateFleetReport(empty)).toEqual([]);
    writeFileSync(join(dir, 'fleet-report.json'), `${JSON.stringify(empty)}\n`);
    expect(await runCli(['merge', 'fleet-report.json'], merged)).toBe(2);
    expect(merged.err()).toContain('fleet-report.json: a fleet report (the output of pod2wi merge), not a scan report');
  });

  it('refuses two reports of one repository, naming both, unless they are the same file', async () => {
    const dir = writeTree({ 'api/deploy.yaml': deployment('api'), 'web/deploy.yaml': deployment('web') });
    expect(await runCli(['scan', '-f', 'json=../api.json', '.'], captureIo(join(dir, 'api')))).toBe(0);
    expect(await runCli(['scan', '-f', 'json=../web.json', '.'], captureIo(join(dir, 'web')))).toBe(0);
    const io = captureIo(dir);
    expect(await runCli(['merge', 'api.json', 'web.json'], io)).toBe(2);
    expect(io.err()).toContain('pod2wi: web.json: repository "." again: api.json is a report of it too (both were scanned as "."; scan each repository by its path');
    const byFile = captureIo(dir);
    expect(await runCli(['merge', 'api.json', 'web.json', './api.json', '--name-from', 'file', '-f', 'json'], byFile)).toBe(0);
    const byFileFleet = JSON.parse(byFile.out()) as { repositories: { name: string; root: string }[] };
    expect(validateFleetReport(byFileFleet)).toEqual([]);
    expect(byFileFleet.repositories.map((row) => `${row.name} ${row.root}`)).toEqual(['api .', 'web .']);
    const bad = captureIo(dir);
    expect(await runCli(['merge', 'api.json', '--name-from', 'folder'], bad)).toBe(2);
    expect(bad.err()).toContain('--name-from folder: expected root or file');
  });

  it('lists repositories of --repos-file without a report, and exits 1', async () => {
    const dir = await scannedFleet();
    writeFileSync(join(dir, 'repos.txt'), 'repos/api\nrepos/web\n\n# later\nrepos/mobile\n');
    const io = captureIo(dir);
    expect(await runCli(['merge', 'reports/', '--repos-file', 'repos.txt', '-f', 'json=fleet.json', '-f', 'markdown'], io)).toBe(1);
    expect(io.err()).toBe('pod2wi: repos.txt:5: repos/mobile: no report\n');
    const fleet = JSON.parse(readFileSync(join(dir, 'fleet.json'), 'utf8')) as { summary: { missing: number }; repositories: unknown[] };
    expect(validateFleetReport(fleet)).toEqual([]);
    expect(fleet.summary.missing).toBe(1);
    expect(fleet.repositories).toContainEqual({ status: 'missing', name: 'repos/mobile' });
    expect(io.out()).toContain('| `repos/mobile` | no report |');
  });

  it('teaches through --help, with examples and exit codes', async () => {
    const io = captureIo(tempDir());
    expect(await runCli(['merge', '--help'], io)).toBe(0);
    expect(io.out()).toContain('Examples:');
    expect(io.out()).toContain('Exit codes: 0 merged, 1 merged but a repository of --repos-file has no report');
    const none = captureIo(tempDir());
    expect(await runCli(['merge'], none)).toBe(2);
  });
});

describe('mergeReports', () => {
  const report = (root: string, over: Partial<MergeInput> = {}): MergeInput => ({
    schemaVersion: 1,
    tool: { name: 'pod2wi', version: '0.1.0' },
    root,
    workloads: [],
    identities: [],
    applications: [],
    findings: [],
    ...over,
  });
  const workload = (name: string, path: MergeInput['workloads'][number]['migration']['path'], blockers: string[] = []): MergeInput['workloads'][number] => ({
    id: `Deployment/ns/${name}`,
    kind: 'Deployment',
    name,
    namespace: 'ns',
    file: 'deploy.yaml',
    line: 1,
    podIdentity: path === 'not-applicable' || path === 'migrated' ? null : { file: 'deploy.yaml', line: 9, identities: [{ name: `${name}-id` }] },
    migration: { path, blocked: blockers.length > 0, reasons: blockers.map((code) => ({ code, file: 'deploy.yaml', line: 5 })) },
  });

  it('counts verdicts and blockers over the fleet, most common blocker first', () => {
    const named: NamedReport[] = [
      { name: 'b', file: 'b.json', report: report('b', { workloads: [workload('x', 'legacy', ['blocked-windows']), workload('y', 'latest'), workload('z', 'not-applicable')] }) },
      { name: 'a', file: 'a.json', report: report('a', { workloads: [workload('p', 'legacy', ['blocked-windows', 'blocked-nmi-endpoint']), workload('q', 'migrated')] }) },
    ];
    const fleet = mergeReports(named);
    expect(validateFleetReport(fleet)).toEqual([]);
    expect(fleet.verdicts.map((verdict) => `${verdict.path}:${verdict.workloads}/${verdict.blocked}:${verdict.repositories.join('+')}`)).toEqual([
      'legacy:2/2:a+b',
      'latest:1/0:b',
      'unknown:0/0:',
      'migrated:1/0:a',
      'not-applicable:1/0:b',
    ]);
    expect(fleet.blockers).toEqual([
      { code: 'blocked-windows', workloads: 2, repositories: ['a', 'b'] },
      { code: 'blocked-nmi-endpoint', workloads: 1, repositories: ['a'] },
    ]);
    expect(fleet.workloads.map((item) => `${item.repository}:${item.name}:${item.path}`)).toEqual(['a:p:legacy', 'a:q:migrated', 'b:x:legacy', 'b:y:latest']);
    expect(mergeReports([...named].reverse())).toEqual(fleet);
  });

  it('lists SDK gaps by ecosystem with versions in version order, one use per application and version', () => {
    const dependency = (name: string, version: string | null, legacy: boolean, supports: boolean | null, line: number) => ({
      ecosystem: 'pypi' as const, name, version, legacy, supportsWorkloadIdentity: supports, file: 'requirements.txt', line,
    });
    const fleet = mergeReports([
      {
        name: 'r',
        file: 'r.json',
        report: report('r', {
          applications: [
            { path: 'one', dependencies: [dependency('azure-identity', '1.10.0', false, false, 1), dependency('azure-identity', '1.10.0', false, false, 7), dependency('requests', '2.0.0', false, null, 2)] },
            { path: 'two', dependencies: [dependency('azure-identity', '1.9.0', false, false, 1), dependency('azure-identity', null, false, false, 3), dependency('adal', '1.2.7', true, false, 2), dependency('azure-identity', '1.16.0', false, true, 4)] },
          ],
        }),
      },
    ]);
    expect(validateFleetReport(fleet)).toEqual([]);
    expect(fleet.sdkGaps).toHaveLength(1);
    expect(fleet.sdkGaps[0]?.applications).toBe(2);
    expect(fleet.sdkGaps[0]?.packages.map((item) => `${item.name} ${item.gap} ${item.versions.join(',')} ${item.uses.length}`)).toEqual([
      'adal legacy 1.2.7 1',
      'azure-identity below-floor 1.9.0,1.10.0, 3',
    ]);
    expect(compareNatural('1.10.0', '1.9.0')).toBeGreaterThan(0);
    expect(compareNatural('v0.9.23', 'v0.10.0')).toBeLessThan(0);
  });

  it('keeps every value from a report on its one line and in its table cell in markdown', () => {
    const named: NamedReport[] = [{ name: 'evil|repo\n# heading', file: 'x.json', report: report('evil', { workloads: [workload('a|b', 'legacy')] }) }];
    const markdown = renderFleetMarkdown(mergeReports(named));
    expect(markdown).not.toMatch(/^# heading/m);
    expect(markdown).toContain('`evil\\|repo\\\\x0a# heading`');
    for (const line of markdown.split('\n').filter((text) => text.startsWith('| `evil'))) expect(line.split(/(?<!\\)\|/).length).toBeGreaterThan(3);
  });

  it('reads only pod2wi scan reports', () => {
    expect(parseScanReport({ tool: { name: 'pod2wi' }, kind: 'fleet' })).toEqual({ ok: false, message: 'a fleet report (the output of pod2wi merge), not a scan report' });
    expect(parseScanReport(report('.'))).toMatchObject({ ok: true });
  });
});
