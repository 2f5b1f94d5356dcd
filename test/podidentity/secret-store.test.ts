import { describe, expect, it } from 'vitest';
import { planFix } from '../../src/fix/index.js';
import { parsesTrue } from '../../src/podidentity/secret-store.js';
import { analyze } from '../../src/run.js';
import { scanOptionsFor, writeTree } from '../helpers/repo.js';

/**
 * SecretProviderClasses of the Azure Key Vault provider and KEDA trigger authentications on pod identity: how they are
 * read, linked to the workloads that mount them, and changed by the fix phases. The golden cases live in
 * fixtures/scan/secret-store-keda, fixtures/fix/secret-store-keda and fixtures/check/*-pod-identity.
 */

const identity = (name: string, clientId: string) => `apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata:
  name: ${name}
  namespace: shop
spec:
  type: 0
  resourceID: /subscriptions/3e0b7c55-1d7a-4f0e-9a51-2f6c0d8b9a11/resourceGroups/rg-shop/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}
  clientID: ${clientId}
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata:
  name: ${name}-binding
  namespace: shop
spec:
  azureIdentity: ${name}
  selector: ${name}
`;

/** A Deployment mounting a class, with its ServiceAccount (annotated when `clientId` is given). */
const deployment = (name: string, options: { selector: string; mounts: string | readonly string[]; namespace?: string; clientId?: string; useLabel?: boolean }) => `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
  namespace: ${options.namespace ?? 'shop'}${options.clientId ? `
  annotations:
    azure.workload.identity/client-id: ${options.clientId}` : ''}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${options.namespace ?? 'shop'}
spec:
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
        aadpodidbinding: ${options.selector}${options.useLabel ? `
        azure.workload.identity/use: "true"` : ''}
    spec:
      serviceAccountName: ${name}
      containers:
        - name: ${name}
          image: contoso/${name}:1
      volumes:${(typeof options.mounts === 'string' ? [options.mounts] : options.mounts).map((mount, index) => `
        - name: kv${index}
          csi:
            driver: secrets-store.csi.k8s.io
            volumeAttributes:
              secretProviderClass: ${mount}`).join('')}
`;

const providerClass = (name: string, usePodIdentity: string, extra = '') => `apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata:
  name: ${name}
  namespace: shop
spec:
  provider: azure
  parameters:
    usePodIdentity: ${usePodIdentity}${extra}
    keyvaultName: kv-shop
`;

const latestApp = (name: string) => ({ [`apps/${name}/package.json`]: `{ "name": "${name}", "dependencies": { "@azure/identity": "4.3.0" } }\n` });

describe('usePodIdentity', () => {
  it('is read as the provider reads it: trimmed, empty is false, else Go strconv.ParseBool', () => {
    expect(['true', 'True', 'TRUE', 't', 'T', '1', ' true '].map(parsesTrue)).toEqual([true, true, true, true, true, true, true]);
    expect(['false', 'False', 'FALSE', 'f', 'F', '0', '', '  '].map(parsesTrue)).toEqual([false, false, false, false, false, false, false, false]);
    // ParseBool rejects these, and the provider fails the mount: not pod identity.
    expect(['yes', 'on', 'tRuE'].map(parsesTrue)).toEqual([null, null, null]);
  });
});

describe('scan', () => {
  it('links a class to the workloads of its namespace that mount it, and reports one finding at usePodIdentity', async () => {
    const root = writeTree({
      'deploy/ids.yaml': identity('orders-identity', '6f1d2c3b-0a9e-4b8c-9d7e-1f2a3b4c5d6e'),
      'deploy/orders.yaml': deployment('orders', { selector: 'orders-identity', mounts: 'shared-kv' }),
      'deploy/billing.yaml': deployment('billing', { selector: 'orders-identity', mounts: 'shared-kv' }),
      // Same class name in another namespace: the driver looks classes up in the pod's namespace.
      'deploy/other.yaml': deployment('audit', { selector: 'orders-identity', mounts: 'shared-kv', namespace: 'audit' }),
      'deploy/kv.yaml': providerClass('shared-kv', '"true"'),
      'deploy/unused.yaml': providerClass('unused-kv', '"yes"'),
    });
    const { report } = await analyze(scanOptionsFor(root, ['.']));
    expect(report.secretProviderClasses?.map((item) => [item.name, item.podIdentity, item.usedBy])).toEqual([
      ['shared-kv', true, ['Deployment/shop/billing', 'Deployment/shop/orders']],
      ['unused-kv', false, []],
    ]);
    const findings = report.findings.filter((finding) => finding.ruleId === 'secret-provider-pod-identity');
    expect(findings.map((finding) => `${finding.file}:${finding.line}`)).toEqual(['deploy/kv.yaml:9']);
    expect(findings[0]?.message).toContain('(Deployment/shop/billing, Deployment/shop/orders)');
    expect(report.triggerAuthentications).toBeUndefined();
  });
});

describe('scan: KEDA', () => {
  it('reports the pod identity the KEDA chart gives its operator, and not its workload-identity values', async () => {
    const release = (name: string, values: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${name}
  namespace: keda
spec:
  chart:
    spec:
      chart: keda
      sourceRef:
        kind: HelmRepository
        name: kedacore
  values:
${values}`;
    const root = writeTree({
      'infra/old.yaml': release('keda', '    podIdentity:\n      activeDirectory:\n        identity: keda-identity\n'),
      'infra/new.yaml': release('keda-next', '    podIdentity:\n      azureWorkload:\n        enabled: true\n'),
    });
    const { report } = await analyze(scanOptionsFor(root, ['.']));
    expect(report.findings.filter((finding) => finding.ruleId === 'keda-pod-identity').map((finding) => `${finding.file}:${finding.line} ${finding.message}`)).toEqual([
      "infra/old.yaml:16 HelmRelease keda: podIdentity.activeDirectory.identity: keda-identity labels the KEDA operator's pods aadpodidbinding=keda-identity; on workload identity the chart takes podIdentity.azureWorkload.enabled: true and clientId instead",
    ]);
  });
});

describe('fix', () => {
  it('parallel: a class mounted by workloads of different identities gets no clientID, and a finding says why', async () => {
    const root = writeTree({
      ...latestApp('orders'),
      ...latestApp('billing'),
      'deploy/ids.yaml': identity('orders-identity', '6f1d2c3b-0a9e-4b8c-9d7e-1f2a3b4c5d6e') + '---\n' + identity('billing-identity', '2b7e4c1a-8d3f-4e6a-9b0c-5d1e2f3a4b5c'),
      'deploy/orders.yaml': deployment('orders', { selector: 'orders-identity', mounts: 'shared-kv' }),
      'deploy/billing.yaml': deployment('billing', { selector: 'billing-identity', mounts: 'shared-kv' }),
      'deploy/kv.yaml': providerClass('shared-kv', '"true"'),
    });
    const plan = planFix(await analyze(scanOptionsFor(root, ['.'])), 'parallel');
    expect(plan.changes.map((change) => change.file)).toEqual(['deploy/billing.yaml', 'deploy/orders.yaml']);
    expect(plan.skipped.find((skip) => skip.subject === 'SecretProviderClass shop/shared-kv')?.reason).toContain('mounted by workloads on different identities');
  });

  it('parallel: a class that already names another client ID is left alone', async () => {
    const root = writeTree({
      ...latestApp('orders'),
      'deploy/ids.yaml': identity('orders-identity', '6f1d2c3b-0a9e-4b8c-9d7e-1f2a3b4c5d6e'),
      'deploy/orders.yaml': deployment('orders', { selector: 'orders-identity', mounts: 'orders-kv' }),
      'deploy/kv.yaml': providerClass('orders-kv', '"true"', '\n    clientID: 9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'),
    });
    const plan = planFix(await analyze(scanOptionsFor(root, ['.'])), 'parallel');
    expect(plan.changes.map((change) => change.file)).toEqual(['deploy/orders.yaml']);
    expect(plan.skipped.find((skip) => skip.subject === 'SecretProviderClass shop/orders-kv')?.reason).toContain('already has clientID: 9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d');
  });

  it('cutover: a workload keeps aadpodidbinding, and its identity stays, while another pod of its class is still on pod identity', async () => {
    const clientId = '6f1d2c3b-0a9e-4b8c-9d7e-1f2a3b4c5d6e';
    const root = writeTree({
      ...latestApp('orders'),
      ...latestApp('billing'),
      'deploy/ids.yaml': identity('orders-identity', clientId) + '---\n' + identity('billing-identity', '2b7e4c1a-8d3f-4e6a-9b0c-5d1e2f3a4b5c'),
      'deploy/orders.yaml': deployment('orders', { selector: 'orders-identity', mounts: 'shared-kv', clientId, useLabel: true }),
      'deploy/billing.yaml': deployment('billing', { selector: 'billing-identity', mounts: 'shared-kv' }),
      'deploy/kv.yaml': providerClass('shared-kv', '"true"', `\n    clientID: ${clientId}`),
    });
    const plan = planFix(await analyze(scanOptionsFor(root, ['.'])), 'cutover');
    expect(plan.changes).toEqual([]);
    expect(plan.skipped.find((skip) => skip.subject === 'Deployment/shop/orders')?.reason).toContain('Deployment/shop/billing mounts it too and is not on workload identity yet');
  });

  it('cutover: a class without clientID gets it with usePodIdentity "false", in one subject with its workload', async () => {
    const clientId = '6f1d2c3b-0a9e-4b8c-9d7e-1f2a3b4c5d6e';
    const root = writeTree({
      ...latestApp('orders'),
      'deploy/ids.yaml': identity('orders-identity', clientId),
      'deploy/orders.yaml': deployment('orders', { selector: 'orders-identity', mounts: 'orders-kv', clientId, useLabel: true }),
      'deploy/kv.yaml': providerClass('orders-kv', 'True'),
    });
    const plan = planFix(await analyze(scanOptionsFor(root, ['.'])), 'cutover');
    const kv = plan.changes.find((change) => change.file === 'deploy/kv.yaml');
    expect(kv?.after).toContain(`    usePodIdentity: "false"\n    clientID: ${clientId}\n`);
    expect(plan.edited.map((item) => item.subject)).toContain('Deployment/shop/orders + SecretProviderClass shop/orders-kv');
  });

  it('cutover: workloads that share classes switch in one subject with every class they mount', async () => {
    const clientId = '6f1d2c3b-0a9e-4b8c-9d7e-1f2a3b4c5d6e';
    const root = writeTree({
      ...latestApp('orders'),
      ...latestApp('billing'),
      'deploy/ids.yaml': identity('orders-identity', clientId),
      'deploy/orders.yaml': deployment('orders', { selector: 'orders-identity', mounts: ['orders-kv', 'shared-kv'], clientId, useLabel: true }),
      'deploy/billing.yaml': deployment('billing', { selector: 'orders-identity', mounts: 'shared-kv', clientId, useLabel: true }),
      'deploy/kv.yaml': providerClass('orders-kv', '"true"') + '---\n' + providerClass('shared-kv', '"true"'),
    });
    const plan = planFix(await analyze(scanOptionsFor(root, ['.'])), 'cutover');
    const subjects = plan.edited.map((item) => item.subject);
    expect(subjects).toContain('Deployment/shop/billing + Deployment/shop/orders + SecretProviderClass shop/orders-kv + SecretProviderClass shop/shared-kv');
    expect(subjects.filter((subject) => subject.includes('Deployment/shop/'))).toHaveLength(1);
    expect(plan.changes.find((change) => change.file === 'deploy/kv.yaml')?.after.match(/usePodIdentity: "false"/g)).toHaveLength(2);
  });
});
