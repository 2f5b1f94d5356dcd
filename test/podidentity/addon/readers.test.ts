import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GrammarCache } from '../../../src/code/tree-sitter.js';
import { readAddon } from '../../../src/podidentity/addon/index.js';
import { expectGolden } from '../../helpers/golden.js';
import { fixtureFiles, renderAddon, showRef } from './render.js';

const fixtures = join(import.meta.dirname, '../../../fixtures/addon');
const grammars = new GrammarCache();

async function readFixture(name: string) {
  return readAddon(fixtureFiles(join(fixtures, name, 'repo')), { grammars });
}

describe.each(['bicep', 'arm', 'scripts', 'pipelines', 'documents'])('fixture %s', (name) => {
  it('matches expected/addon.json', async () => {
    expectGolden(join(fixtures, name, 'expected', 'addon.json'), renderAddon(await readFixture(name)));
  });
});

describe('Bicep', () => {
  it('reads a module with the params its caller passes, loops over a known list and safe access', async () => {
    const read = await readFixture('bicep');
    const orders = read.identities.find((identity) => identity.name.value === 'orders-api');
    expect(orders?.source).toBe('bicep');
    expect(orders?.at).toMatchObject({ file: 'infra/modules/cluster.bicep' });
    expect(showRef(orders?.namespace ?? null)).toBe('orders @ infra/main.bicep:17');
    expect(orders?.clientId?.value).toBe('3c7e1a52-9b4d-4f06-8e21-5a9d0c6b7f13');
    expect(orders?.bindingSelector).toBeNull();
    expect(orders?.cluster?.value).toBe('aks-orders-prod');
    const payments = read.identities.find((identity) => identity.name.value === 'payments-worker');
    expect(payments?.bindingSelector?.value).toBe('payments');
    expect(payments?.clientId).toBeNull();
    expect(payments?.resourceId?.display).toBe('/subscriptions/{{ subscription().subscriptionId }}/resourceGroups/{{ resourceGroup().name }}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-payments-prod');
    const exception = read.exceptions.find((item) => item.name.value === 'metrics-exporter');
    expect(Object.keys(exception?.podLabels ?? {})).toEqual(['app', 'app.kubernetes.io/part-of']);
  });

  it('reads a file nobody calls with its defaults, and keeps a param without default unknown', async () => {
    const read = await readFixture('bicep');
    const reports = read.identities.find((identity) => identity.name.value === 'reports-api');
    expect(reports?.namespace.value).toBe('reports');
    expect(reports?.cluster?.value).toBe('aks-sandbox-platform');
    expect(reports?.clientId?.value).toBeNull();
    expect(reports?.clientId?.unknowns[0]?.reason).toContain('param reportsClientId has no default value');
  });
});

describe('ARM', () => {
  it('evaluates parameters and variables through an inner-scope nested deployment and a linked template', async () => {
    const read = await readFixture('arm');
    const [identity] = read.identities;
    expect(read.identities).toHaveLength(1);
    expect(identity?.name.value).toBe('reports-api');
    expect(identity?.namespace.value).toBeNull();
    expect(identity?.namespace.unknowns[0]?.reason).toContain('identityNamespace has no default value');
    expect(identity?.cluster?.value).toBe('aks-reports-staging');
    expect(identity?.resourceGroup?.value).toBe('rg-reports-staging');
    expect(identity?.clientId?.value).toBe('9d2e4f60-7a1b-4c3d-8e5f-0a1b2c3d4e5f');
    expect(read.exceptions[0]?.podLabels.app?.value).toBe('report-exporter');
    const linked = read.settings.filter((setting) => setting.at.file === 'templates/nested/workload-identity.json');
    expect(linked.map((setting) => [setting.setting, setting.enabled, setting.cluster?.value])).toEqual([
      ['oidc-issuer', true, 'aks-reports-staging'],
      ['workload-identity', true, 'aks-reports-staging'],
      ['pod-identity', false, 'aks-reports-staging'],
    ]);
  });
});

describe('scripts', () => {
  it('resolves literal assignments and keeps command output, arguments and the environment unknown', async () => {
    const read = await readFixture('scripts');
    const cart = read.identities.find((identity) => identity.name.value === 'cart-api');
    expect(cart).toMatchObject({ action: 'add', source: 'az-cli', at: { file: 'scripts/add-pod-identity.sh', line: 13 } });
    expect(cart?.resourceGroup?.value).toBe('rg-aks-shop-prod');
    expect(cart?.namespace.value).toBe('shop');
    expect(cart?.resourceId?.unknowns[0]).toMatchObject({ expression: '$IDENTITY_RESOURCE_ID' });
    expect(cart?.resourceId?.unknowns[0]?.reason).toContain('from a command');
    const catalog = read.identities.find((identity) => identity.name.value === 'catalog-api');
    expect(catalog?.cluster?.value).toBe('aks-shop-prod');
    expect(catalog?.resourceId?.display).toContain('{{ ${SUBSCRIPTION_ID} }}');
    const checkout = read.identities.find((identity) => identity.name.value === 'checkout-api');
    expect(checkout?.cluster?.value).toBe('aks-shop-prod');
    expect(checkout?.bindingSelector?.value).toBe('checkout-prod');
    expect(checkout?.namespace.unknowns[0]?.expression).toBe('$env:APP_NAMESPACE');
    expect(checkout?.resourceId?.unknowns[0]?.expression).toBe('$Identity.id');
    const search = read.identities.find((identity) => identity.name.value === 'search-api' && identity.action === 'add');
    expect(search?.at).toMatchObject({ file: 'Makefile', line: 9 });
    expect(search?.resourceGroup?.value).toBe('rg-aks-shop-dev');
    expect(search?.resourceId?.unknowns[0]?.expression).toBe('$(SEARCH_IDENTITY_ID)');
    expect(read.identities.filter((identity) => identity.action === 'delete').map((identity) => identity.name.value).sort()).toEqual(['legacy-api', 'search-api']);
    expect(read.exceptions[0]?.podLabels).toMatchObject({ app: { value: 'node-agent' }, tier: { value: 'system' } });
    expect(read.settings.map((setting) => `${setting.setting}=${String(setting.enabled)}@${setting.at.file}`).sort()).toEqual(['oidc-issuer=true@scripts/Add-PodIdentity.ps1', 'pod-identity-kubenet=true@Makefile', 'pod-identity=true@Makefile', 'pod-identity=true@scripts/add-pod-identity.sh', 'workload-identity=true@scripts/Add-PodIdentity.ps1']);
  });
});

describe('pipelines', () => {
  it('reads GitHub Actions and Azure Pipelines steps with their env and variables', async () => {
    const read = await readFixture('pipelines');
    const github = read.identities.find((identity) => identity.at.file === '.github/workflows/pod-identity.yml');
    expect(github).toMatchObject({ source: 'pipeline', at: { line: 35 } });
    expect(github?.cluster?.value).toBe('aks-billing-prod');
    expect(github?.resourceGroup?.value).toBe('rg-billing-prod');
    expect(github?.name.value).toBe('invoice-api');
    expect(github?.namespace.unknowns[0]?.expression).toBe('${{ inputs.namespace }}');
    const azure = read.identities.find((identity) => identity.at.file === 'azure-pipelines.yml' && identity.action === 'add');
    expect(azure?.at.line).toBe(25);
    expect(azure?.cluster?.value).toBe('aks-billing-test');
    expect(azure?.namespace.value).toBe('billing');
    expect(azure?.resourceId?.unknowns[0]?.reason).toContain('variable group billing-secrets');
    expect(azure?.bindingSelector?.unknowns[0]?.expression).toBe('$(Build.Repository.Name)');
    const removed = read.identities.find((identity) => identity.action === 'delete');
    expect(removed?.namespace.value).toBe('billing');
    expect(read.exceptions[0]?.podLabels.app?.value).toBe('ledger-sync');
    expect(read.settings.map((setting) => `${setting.setting}:${setting.cluster?.value}`).sort()).toEqual(['oidc-issuer:aks-billing-prod', 'workload-identity:aks-billing-test']);
  });
});

describe('documents', () => {
  it('reads an Azure Service Operator ManagedCluster and az rest bodies, inline and from a file', async () => {
    const read = await readFixture('documents');
    expect(read.identities.map((identity) => [identity.name.value, identity.source, identity.cluster?.value, identity.at.file])).toEqual([
      ['spark-driver', 'manifest', 'aks-analytics', 'aso/managed-cluster.yaml'],
      ['etl-runner', 'az-cli', 'aks-analytics', 'bodies/pod-identity.json'],
    ]);
    expect(read.identities[0]?.resourceId?.value).toContain('id-spark-driver');
    expect(read.exceptions[0]).toMatchObject({ source: 'az-cli', cluster: { value: 'aks-analytics-dr' }, at: { file: 'scripts/patch-cluster.sh', line: 7 } });
  });
});
