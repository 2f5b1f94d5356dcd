import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from '../helpers/io.js';
import { tempDir, writeTree } from '../helpers/repo.js';

const manifest = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api, aadpodidbinding: api}
    spec:
      serviceAccountName: api
      containers: [{name: api, image: contoso/api:1}]
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata: {name: api, namespace: shop}
spec: {type: 0, clientID: 0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d}
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata: {name: api-binding, namespace: shop}
spec: {azureIdentity: api, selector: api}
`;

function repo(): string {
  return writeTree({
    'deploy/api.yaml': manifest,
    'apps/api/package.json': '{ "name": "api", "version": "1.0.0", "dependencies": { "@azure/identity": "4.3.0" } }\n',
  });
}

describe('pod2wi fix', () => {
  it('prints a diff and writes nothing by default; --check exits 1 while changes are pending', async () => {
    const dir = repo();
    const io = captureIo(dir);
    expect(await runCli(['fix', '.'], io)).toBe(0);
    expect(io.out()).toContain('--- a/deploy/api.yaml\n+++ b/deploy/api.yaml\n');
    expect(io.out()).toContain('+    azure.workload.identity/client-id: 0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d');
    expect(io.out()).toMatch(/1 file, 3 lines added, 1 removed · rendered again: 1 render changed, each exactly as intended · phase parallel · run with --write to apply · next phase: cutover/);
    expect(readFileSync(join(dir, 'deploy/api.yaml'), 'utf8')).toBe(manifest);
    expect(await runCli(['fix', '.', '--dry-run', '--check'], captureIo(dir))).toBe(1);
  });

  it('--write applies a phase; the next run has nothing to do', async () => {
    const dir = repo();
    const io = captureIo(dir);
    expect(await runCli(['fix', '--write'], io)).toBe(0);
    expect(io.out()).toMatch(/1 file written, 3 lines added, 1 removed · rendered again: 1 render changed, each exactly as intended · phase parallel · next phase: cutover/);
    expect(readFileSync(join(dir, 'deploy/api.yaml'), 'utf8')).toContain('azure.workload.identity/use: "true"');
    const again = captureIo(dir);
    expect(await runCli(['fix', '--check'], again)).toBe(0);
    expect(again.out()).toBe('no change · phase parallel · next phase: cutover\n');
    expect(await runCli(['fix', '--phase', 'cutover', '-w'], captureIo(dir))).toBe(0);
    const after = readFileSync(join(dir, 'deploy/api.yaml'), 'utf8');
    expect(after).not.toContain('aadpodidbinding');
    expect(after).not.toContain('AzureIdentity');
  });

  it('--format json lists the edits with their offsets, expected text and reason', async () => {
    const dir = repo();
    const io = captureIo(dir);
    expect(await runCli(['fix', '.', '--format', 'json'], io)).toBe(0);
    const output = JSON.parse(io.out()) as { phase: string; written: boolean; files: { file: string; action: string; edits: { start: number; line: number; expect: string; text: string; why: string }[] }[]; summary: { files: number } };
    expect(output.phase).toBe('parallel');
    expect(output.written).toBe(false);
    expect(output.files.map((file) => [file.file, file.action])).toEqual([['deploy/api.yaml', 'edit']]);
    const edits = output.files[0]?.edits ?? [];
    expect(edits.map((item) => item.line)).toEqual([6, 17]);
    expect(edits.every((item) => item.expect === '' && item.why.startsWith('Deployment/shop/api: '))).toBe(true);
    expect(output.summary.files).toBe(1);
  });

  it('rejects bad options with exit 2 and an empty folder with exit 4', async () => {
    const dir = repo();
    const bad = captureIo(dir);
    expect(await runCli(['fix', '--phase', 'later'], bad)).toBe(2);
    expect(bad.err()).toContain('--phase later: expected parallel, cutover, finalize');
    expect(await runCli(['fix', '--write', '--dry-run'], captureIo(dir))).toBe(2);
    expect(await runCli(['fix', '--format', 'xml'], captureIo(dir))).toBe(2);
    expect(await runCli(['fix', tempDir()], captureIo(dir))).toBe(4);
  });
});

describe('pod2wi fix --min-severity', () => {
  it('lists only findings at or above it in the text, counting the others; json keeps them all', async () => {
    const dir = writeTree({
      'app.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api, aadpodidbinding: api}}\n    spec: {containers: [{name: api, image: contoso/api:1}]}\n',
    });
    const all = captureIo(dir);
    expect(await runCli(['fix', '.'], all)).toBe(0);
    expect(all.out()).toMatch(/^ {2}note /m);
    const warnings = captureIo(dir);
    expect(await runCli(['fix', '--min-severity', 'warning', '.'], warnings)).toBe(0);
    expect(warnings.out()).not.toMatch(/^ {2}note /m);
    expect(warnings.out()).toMatch(/\d+ findings? below warning not listed/);
    const json = captureIo(dir);
    expect(await runCli(['fix', '--min-severity', 'error', '--format', 'json', '.'], json)).toBe(0);
    expect(JSON.parse(json.out()).findings.length).toBeGreaterThan(0);
    const bad = captureIo(dir);
    expect(await runCli(['fix', '--min-severity', 'all', '.'], bad)).toBe(2);
  });
});
