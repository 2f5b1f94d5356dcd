import { describe, expect, it } from 'vitest';
import { credentialName, planFederatedCredentials } from '../../src/plan/federated.js';
import type { PlannedIdentity } from '../../src/plan/model.js';
import { planServiceAccounts } from '../../src/plan/service-accounts.js';
import { workload } from './fixtures.js';

const id = (name: string, overrides: Partial<PlannedIdentity> = {}): PlannedIdentity => ({
  name, namespace: 'shop', type: 'user-assigned-managed-identity', clientId: '6f1d2c3b-0a9e-4b8c-9d7e-1f2a3b4c5d6e', tenantId: null,
  subscriptionId: 's', resourceGroup: 'rg', identityName: name, evidence: { file: 'id.yaml', line: 1 }, ...overrides,
});

describe('planServiceAccounts', () => {
  it('reuses an account used by one identity, and creates one named by the workload but missing', () => {
    const plans = planServiceAccounts([
      { workload: workload({ name: 'a' }), identity: id('a') },
      { workload: workload({ name: 'b', serviceAccount: { name: 'b-sa', implicit: false, exists: false, file: 'deploy/b.yaml', line: 20 } }), identity: id('b') },
    ], []);
    expect(plans.get('Deployment/shop/a')).toMatchObject({ name: 'a', action: 'reuse', reason: 'own', changesWorkload: false, existing: { file: 'deploy/a.yaml', line: 20 } });
    expect(plans.get('Deployment/shop/b')).toMatchObject({ name: 'b-sa', action: 'create', reason: 'missing', changesWorkload: false });
  });

  it('gives workloads on default a dedicated account, avoiding names taken by other identities', () => {
    const onDefault = (name: string) => workload({ name, serviceAccount: { name: 'default', implicit: true, exists: false, file: 'd.yaml', line: 1 } });
    const plans = planServiceAccounts([{ workload: onDefault('api'), identity: id('api') }], [
      { name: 'api', namespace: 'shop', unit: 'plain manifests', clientId: null, tenantId: null, useLabel: false, usedBy: ['Deployment/shop/other'], file: 'sa.yaml', line: 1 },
    ]);
    expect(plans.get('Deployment/shop/api')).toMatchObject({ name: 'api-wi', action: 'create', reason: 'default', changesWorkload: true });
  });

  it('splits an account shared by workloads of different identities, and keeps one shared by the same identity', () => {
    const shared = (name: string) => workload({ name, serviceAccount: { name: 'shared', implicit: false, exists: true, file: 's.yaml', line: 1 } });
    const split = planServiceAccounts([{ workload: shared('a'), identity: id('one') }, { workload: shared('b'), identity: id('two') }], []);
    expect([...split.values()].map((plan) => [plan.name, plan.reason])).toEqual([['a', 'shared-with-other-identities'], ['b', 'shared-with-other-identities']]);
    const same = planServiceAccounts([{ workload: shared('a'), identity: id('one') }, { workload: shared('b'), identity: id('one') }], []);
    expect([...same.values()].map((plan) => [plan.name, plan.action])).toEqual([['shared', 'reuse'], ['shared', 'reuse']]);
  });

  it('adds the tenant only for a service principal', () => {
    const plans = planServiceAccounts([
      { workload: workload({ name: 'sp' }), identity: id('sp', { type: 'service-principal', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' }) },
      { workload: workload({ name: 'mi' }), identity: id('mi', { tenantId: 'ignored' }) },
    ], []);
    expect(plans.get('Deployment/shop/sp')?.tenantId).toBe('72f988bf-86f1-41af-91ab-2d7cd011db47');
    expect(plans.get('Deployment/shop/mi')?.tenantId).toBeNull();
  });
});

describe('federated credentials', () => {
  it('names credentials validly: 3–120 characters, letters, digits, - and _, starting alphanumeric', () => {
    for (const [namespace, account] of [['shop', 'orders-api'], ['a', 'b'], ['x'.repeat(80), 'y'.repeat(80)], ['ns', 'svc.account']]) {
      const name = credentialName(namespace ?? '', account ?? '');
      expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/);
    }
    expect(credentialName('x'.repeat(80), 'y'.repeat(80))).not.toBe(credentialName('x'.repeat(80), `${'y'.repeat(79)}z`));
  });

  it('plans one credential per identity × namespace × account, subject and audience set', () => {
    const identity = id('orders');
    const account = { name: 'orders', namespace: 'shop', action: 'reuse' as const, reason: 'own' as const, changesWorkload: false, clientId: identity.clientId, tenantId: null, existing: null };
    const credentials = planFederatedCredentials([
      { workload: 'Deployment/shop/a', identity, serviceAccount: account },
      { workload: 'Deployment/shop/b', identity, serviceAccount: account },
    ], '${AKS_OIDC_ISSUER}');
    expect(credentials).toEqual([expect.objectContaining({ name: 'shop-orders', subject: 'system:serviceaccount:shop:orders', audience: 'api://AzureADTokenExchange', workloads: ['Deployment/shop/a', 'Deployment/shop/b'] })]);
  });
});
