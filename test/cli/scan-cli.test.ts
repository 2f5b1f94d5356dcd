import { readFileSync } from 'node:fs';
import { captureIo, type CapturedIo } from '../helpers/io.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { tempDir, writeTree } from '../helpers/repo.js';
import { validateScanReport } from '../helpers/schema.js';


const capture = (cwd: string, env: Record<string, string> = {}, tty = false): CapturedIo => captureIo(cwd, { env, tty, columns: 120 });

const deployment = (name: string, namespace = 'shop') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${namespace ? `  namespace: ${namespace}\n` : ''}spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}, aadpodidbinding: ${name}}
    spec:
      containers: [{name: ${name}, image: contoso/${name}:1}]
`;
const manifest = deployment('api');

describe('pod2wi scan', () => {
  it('prints the text report and exits 0', async () => {
    const io = capture(writeTree({ 'deploy.yaml': manifest }));
    expect(await runCli(['scan', '.'], io)).toBe(0);
    expect(io.out()).toContain('Deployment api');
    expect(io.out()).toContain('aadpodidbinding=api');
    expect(io.out()).not.toContain('\u001b[');
  });

  it('writes several formats in one run, and JSON valid against the schema', async () => {
    const dir = writeTree({ 'deploy.yaml': manifest });
    const io = capture(dir);
    expect(await runCli(['scan', '--format', 'text', '--format', 'json=report.json', '.'], io)).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as unknown;
    expect(validateScanReport(report)).toEqual([]);
    expect(io.out()).toContain('pod2wi ');
  });

  it('is byte-identical run to run', async () => {
    const dir = writeTree({ 'deploy.yaml': manifest, 'other.yaml': deployment('web') });
    const first = capture(dir);
    const second = capture(dir);
    await runCli(['scan', '--format', 'json', '.'], first);
    await runCli(['scan', '--format', 'json', '.'], second);
    expect(first.out()).toBe(second.out());
    expect(first.out().length).toBeGreaterThan(100);
  });

  it('uses --output for the one format without a file', async () => {
    const dir = writeTree({ 'deploy.yaml': manifest });
    expect(await runCli(['scan', '-f', 'json', '-o', 'r.json', '.'], capture(dir))).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'))).toMatchObject({ schemaVersion: 1 });
  });

  it('colours only a terminal, and honours NO_COLOR', async () => {
    const dir = writeTree({ 'deploy.yaml': manifest });
    const tty = capture(dir, {}, true);
    await runCli(['scan', '.'], tty);
    expect(tty.out()).toContain('\u001b[');
    const noColor = capture(dir, { NO_COLOR: '1' }, true);
    await runCli(['scan', '.'], noColor);
    expect(noColor.out()).not.toContain('\u001b[');
  });

  it('exits 4 on an empty folder or a folder without manifests', async () => {
    const empty = capture(tempDir());
    expect(await runCli(['scan', '.'], empty)).toBe(4);
    expect(empty.err()).toMatch(/no files to scan/);
    const noManifests = capture(writeTree({ 'README.md': '# hi\n', 'config.yaml': 'a: 1\n' }));
    expect(await runCli(['scan', '.'], noManifests)).toBe(4);
    expect(noManifests.err()).toMatch(/2 files walked, but no Kubernetes manifest/);
  });

  it('exits 2 on usage errors, naming the problem', async () => {
    const dir = writeTree({ 'deploy.yaml': manifest });
    const missing = capture(dir);
    expect(await runCli(['scan', 'no/such/path'], missing)).toBe(2);
    expect(missing.err()).toContain('no/such/path: no such file or directory');
    const badFormat = capture(dir);
    expect(await runCli(['scan', '--format', 'yaml', '.'], badFormat)).toBe(2);
    expect(badFormat.err()).toContain('unknown format "yaml"');
    const twoOnStdout = capture(dir);
    expect(await runCli(['scan', '--format', 'text', '--format', 'json', '.'], twoOnStdout)).toBe(2);
    const badOption = capture(dir);
    expect(await runCli(['scan', '--frobnicate', '.'], badOption)).toBe(2);
    expect(badOption.err()).toContain("unknown option '--frobnicate'");
    const badSize = capture(dir);
    expect(await runCli(['scan', '--max-file-size', 'big', '.'], badSize)).toBe(2);
  });

  it('teaches through --help, with examples and exit codes', async () => {
    const io = capture(tempDir());
    expect(await runCli(['scan', '--help'], io)).toBe(0);
    expect(io.out()).toContain('Examples:');
    expect(io.out()).toContain('--force-namespaced');
    expect(io.out()).toContain('Exit codes:');
  });

  it('scans several paths from their common folder', async () => {
    const dir = writeTree({ 'a/deploy.yaml': manifest, 'b/deploy.yaml': deployment('web'), 'c/deploy.yaml': deployment('skip') });
    const io = capture(dir);
    expect(await runCli(['scan', '-f', 'json', 'a', 'b/deploy.yaml'], io)).toBe(0);
    const report = JSON.parse(io.out()) as { root: string; workloads: { id: string; file: string }[] };
    expect(report.root).toBe('.');
    expect(report.workloads.map((workload) => workload.file)).toEqual(['a/deploy.yaml', 'b/deploy.yaml']);
  });

  it('reports --namespace as the source of a missing namespace', async () => {
    const io = capture(writeTree({ 'deploy.yaml': deployment('api', '') }));
    await runCli(['scan', '-f', 'json', '--namespace', 'payments', '.'], io);
    const report = JSON.parse(io.out()) as { workloads: { namespace: string; namespaceSource: string }[] };
    expect(report.workloads[0]).toMatchObject({ namespace: 'payments', namespaceSource: 'option' });
  });
});

describe('--cluster-state', () => {
  it('links a workload to an identity the cluster holds, and names a file it cannot read', async () => {
    const dir = writeTree({
      'repo/deploy.yaml': manifest,
      'export.json': JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'aadpodidentity.k8s.io/v1', kind: 'AzureIdentity', metadata: { name: 'api', namespace: 'shop' }, spec: { type: 0, clientID: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', resourceID: '/subscriptions/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-api' } },
          { apiVersion: 'aadpodidentity.k8s.io/v1', kind: 'AzureIdentityBinding', metadata: { name: 'api-binding', namespace: 'shop' }, spec: { azureIdentity: 'api', selector: 'api' } },
        ],
      }, null, 2),
    });
    const io = capture(join(dir, 'repo'));
    expect(await runCli(['scan', '.', '--cluster-state', '../export.json', '--format', 'json'], io)).toBe(0);
    const report = JSON.parse(io.out()) as { workloads: { podIdentity: { identities: { clientId: string; file: string }[] } }[]; identities: { source: string }[] };
    expect(report.workloads[0]?.podIdentity.identities.map((identity) => [identity.clientId, identity.file])).toEqual([['0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', '../export.json']]);
    expect(report.identities.map((identity) => identity.source)).toEqual(['cluster-export']);

    const missing = capture(join(dir, 'repo'));
    expect(await runCli(['scan', '.', '--cluster-state', 'nowhere.yaml'], missing)).toBe(2);
    expect(missing.err()).toContain('--cluster-state nowhere.yaml');
  });
});

describe('pod2wi scan text layout options', () => {
  const repo = () => writeTree({ 'deploy/app.yaml': `${deployment('orders')}---\n${deployment('billing')}` });

  it('lays out for --width, else COLUMNS, else the terminal, else 80 columns', async () => {
    const widest = (text: string) => Math.max(...text.split('\n').map((line) => line.length));
    const dir = repo();
    const piped = capture(dir);
    expect(await runCli(['scan', '.'], piped)).toBe(0);
    expect(widest(piped.out())).toBeLessThanOrEqual(80);
    const terminal = capture(dir, {}, true);
    expect(await runCli(['scan', '--no-color', '.'], terminal)).toBe(0);
    expect(widest(terminal.out())).toBeGreaterThan(80);
    expect(widest(terminal.out())).toBeLessThanOrEqual(120);
    const columns = capture(dir, { COLUMNS: '60' });
    expect(await runCli(['scan', '.'], columns)).toBe(0);
    expect(widest(columns.out())).toBeLessThanOrEqual(60);
    const flag = capture(dir, { COLUMNS: '60' });
    expect(await runCli(['scan', '--width', '100', '.'], flag)).toBe(0);
    expect(widest(flag.out())).toBeGreaterThan(80);
    const bad = capture(dir);
    expect(await runCli(['scan', '--width', 'x', '.'], bad)).toBe(2);
    expect(bad.err()).toContain('--width x');
  });

  it('--quiet prints the summary and the errors; --min-severity lists only what is at or above it', async () => {
    const dir = repo();
    const quiet = capture(dir);
    expect(await runCli(['scan', '--quiet', '.'], quiet)).toBe(0);
    expect(quiet.out()).toMatch(/^workloads /m);
    expect(quiet.out()).not.toContain('namespace shop');
    expect(quiet.out()).not.toMatch(/^ {2}note /m);
    const loud = capture(dir);
    expect(await runCli(['scan', '.'], loud)).toBe(0);
    expect(loud.out()).toMatch(/^ {2}note /m);
    const warnings = capture(dir);
    expect(await runCli(['scan', '--min-severity', 'warning', '.'], warnings)).toBe(0);
    expect(warnings.out()).not.toMatch(/^ {2}note /m);
    expect(warnings.out()).toContain('not listed: --min-severity warning');
    const bad = capture(dir);
    expect(await runCli(['scan', '--min-severity', 'fatal', '.'], bad)).toBe(2);
  });
});
