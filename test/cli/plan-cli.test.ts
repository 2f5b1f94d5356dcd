import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from '../helpers/io.js';
import { writeTree } from '../helpers/repo.js';

const repo = {
  'deploy/app.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata:
      labels: {aadpodidbinding: api}
    spec:
      containers: [{name: api, image: contoso/api:1}]
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata: {name: api, namespace: shop}
spec:
  resourceID: /subscriptions/3e0b7c55-1d7a-4f0e-9a51-2f6c0d8b9a11/resourceGroups/rg-shop/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-api
  clientID: 6f1d2c3b-0a9e-4b8c-9d7e-1f2a3b4c5d6e
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata: {name: api-binding, namespace: shop}
spec: {azureIdentity: api, selector: api}
`,
};

describe('pod2wi plan', () => {
  it('writes the plan files into --out-dir, the script executable and valid bash', async () => {
    const dir = writeTree(repo);
    const io = captureIo(dir);
    expect(await runCli(['plan', '.', '--out-dir', 'out'], io)).toBe(0);
    for (const file of ['plan.md', 'plan.json', 'federated-credentials.sh', 'federated-credentials.bicep', 'federated-credentials.module.bicep', 'federated-credentials.tf']) {
      expect(io.out()).toContain(`wrote out/${file}`);
    }
    expect(statSync(join(dir, 'out', 'federated-credentials.sh')).mode & 0o111).not.toBe(0);
    execFileSync('bash', ['-n', join(dir, 'out', 'federated-credentials.sh')]);
    expect(readFileSync(join(dir, 'out', 'plan.md'), 'utf8')).toContain('| shop | Deployment api |');
    expect(JSON.parse(readFileSync(join(dir, 'out', 'plan.json'), 'utf8'))).toMatchObject({ schemaVersion: 1, federatedCredentials: [{ name: 'shop-api', subject: 'system:serviceaccount:shop:api' }] });
  });

  it('puts --issuer into every artifact, and refuses a non-https issuer', async () => {
    const dir = writeTree(repo);
    const issuer = 'https://westeurope.oic.prod-aks.azure.com/tenant/cluster/';
    expect(await runCli(['plan', '.', '-d', 'p', '--issuer', issuer], captureIo(dir))).toBe(0);
    for (const file of ['federated-credentials.sh', 'federated-credentials.bicep', 'federated-credentials.tf', 'plan.json', 'plan.md']) {
      expect(readFileSync(join(dir, 'p', file), 'utf8')).toContain(issuer);
    }
    const bad = captureIo(dir);
    expect(await runCli(['plan', '.', '--issuer', 'http://insecure'], bad)).toBe(2);
    expect(bad.err()).toContain('expected an https URL');
  });

  it('reads the issuer from .pod2wi.yaml and reports configuration mistakes with exit 2', async () => {
    const dir = writeTree({ ...repo, '.pod2wi.yaml': 'issuer: https://issuer.example/x/\n' });
    expect(await runCli(['plan', '.', '-d', 'p'], captureIo(dir))).toBe(0);
    expect(readFileSync(join(dir, 'p', 'federated-credentials.sh'), 'utf8')).toContain('https://issuer.example/x/');
    const broken = writeTree({ ...repo, '.pod2wi.yaml': 'policy:\n  betweenVersions: sometimes\n' });
    const io = captureIo(broken);
    expect(await runCli(['plan', '.'], io)).toBe(2);
    expect(io.err()).toContain('.pod2wi.yaml:2: policy.betweenVersions');
  });
});
