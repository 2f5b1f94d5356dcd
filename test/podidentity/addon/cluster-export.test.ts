import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFindingCatalogue } from '../../../src/rules/catalogue.js';
import { FindingSink } from '../../../src/model/findings-sink.js';
import { readAzureIdentity, readBinding, readException } from '../../../src/podidentity/crds.js';
import { readClusterState, type ClusterState } from '../../../src/podidentity/cluster-export.js';
import { expectGolden } from '../../helpers/golden.js';
import { renderAddon, showObject } from './render.js';

const folder = join(import.meta.dirname, '../../../fixtures/addon/cluster-state');

function render(state: ClusterState): string {
  const addon = JSON.parse(renderAddon(state)) as Record<string, unknown>;
  return `${JSON.stringify({ exportObjects: state.objects.map((object) => ({ ...showObject(object), at: `${object.at.file}:${object.at.line}`, source: object.root.origin.source })), ...addon }, null, 2)}\n`;
}

function read(name: string): ClusterState {
  return readClusterState(`exports/${name}`, readFileSync(join(folder, name), 'utf8'));
}

describe('readClusterState', () => {
  it.each(['kubectl-export.yaml', 'kubectl-export.json', 'aks-show.json', 'aks-show-profile.json'])('reads %s', (name) => {
    expectGolden(join(folder, 'expected', `${name}.out.json`), render(read(name)));
  });

  it('gives the same objects from kubectl -o yaml and -o json, in a cluster-export unit, never editable', () => {
    const yaml = read('kubectl-export.yaml');
    const json = read('kubectl-export.json');
    expect(yaml.objects.map((object) => `${object.kind}/${object.name?.kind === 'scalar' ? object.name.value : ''}`)).toEqual(['AzureIdentity/orders-api', 'AzureIdentityBinding/orders-api-binding', 'AzurePodIdentityException/aks-addon-exception']);
    const withoutUnit = ({ unit: _unit, ...rest }: Record<string, unknown>) => rest;
    expect(json.objects.map((object) => withoutUnit(showObject(object)))).toEqual(yaml.objects.map((object) => withoutUnit(showObject(object))));
    for (const object of yaml.objects) {
      expect(object.unit).toMatchObject({ kind: 'cluster-export', path: 'exports/kubectl-export.yaml' });
      expect(object.root.origin.source).toBe('cluster-export');
    }
    expect(yaml.problems).toEqual([]);
  });

  it('feeds the existing CRD readers', () => {
    const sink = new FindingSink(loadFindingCatalogue());
    const [identity, binding, exception] = read('kubectl-export.yaml').objects;
    if (!identity || !binding || !exception) throw new Error('objects missing');
    expect(readAzureIdentity(identity, null, sink)).toMatchObject({ name: 'orders-api', namespace: 'orders', namespaced: true, clientId: { value: '3c7e1a52-9b4d-4f06-8e21-5a9d0c6b7f13' } });
    expect(readBinding(binding, null, sink)).toMatchObject({ name: 'orders-api-binding', selector: { value: 'orders-api' } });
    expect(readException(exception, null, sink)).toMatchObject({ name: 'aks-addon-exception', namespace: 'kube-system' });
  });

  it('reads az aks show: the cluster, its group, identities with client IDs, exceptions, settings', () => {
    const state = read('aks-show.json');
    expect(state.identities.map((identity) => [identity.name.value, identity.namespace.value, identity.bindingSelector?.value ?? null, identity.clientId?.value, identity.cluster?.value, identity.resourceGroup?.value, identity.source])).toEqual([
      ['orders-api', 'orders', null, '3c7e1a52-9b4d-4f06-8e21-5a9d0c6b7f13', 'aks-orders-prod', 'rg-orders-prod', 'cluster-export'],
      ['payments-worker', 'payments', 'payments', '7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e', 'aks-orders-prod', 'rg-orders-prod', 'cluster-export'],
    ]);
    expect(state.exceptions.map((exception) => exception.podLabels.app?.value)).toEqual(['metrics-exporter']);
    expect(state.settings.map((setting) => `${setting.setting}=${setting.enabled}`)).toEqual(['oidc-issuer=false', 'pod-identity=true']);
    expect(state.objects).toEqual([]);
  });

  it('reads a plain multi-document YAML, an empty list and the ARM shape, and names what it cannot read', () => {
    const multi = readClusterState('state.yaml', 'apiVersion: aadpodidentity.k8s.io/v1\nkind: AzureIdentity\nmetadata: {name: a, namespace: x}\nspec: {type: 0, clientID: 3c7e1a52-9b4d-4f06-8e21-5a9d0c6b7f13}\n---\napiVersion: aadpodidentity.k8s.io/v1\nkind: AzureIdentityBinding\nmetadata: {name: a-binding, namespace: x}\nspec: {azureIdentity: a, selector: a}\n');
    expect(multi.objects.map((object) => [object.kind, object.at.line])).toEqual([['AzureIdentity', 1], ['AzureIdentityBinding', 6]]);
    expect(readClusterState('empty.json', '{"apiVersion": "v1", "items": [], "kind": "List"}').problems).toEqual([]);
    const arm = readClusterState('arm.json', JSON.stringify({ name: 'aks-a', type: 'Microsoft.ContainerService/managedClusters', resourceGroup: 'rg-a', properties: { podIdentityProfile: { enabled: true, userAssignedIdentities: [{ name: 'i', namespace: 'n', identity: { resourceId: '/r' } }] } } }, null, 1));
    expect(arm.identities[0]).toMatchObject({ name: { value: 'i' }, cluster: { value: 'aks-a' }, resourceGroup: { value: 'rg-a' } });
    expect(readClusterState('none.json', '{"id": 1}').problems.map((problem) => problem.code)).toEqual(['cluster-state-unrecognized']);
    expect(readClusterState('blank.yaml', '\n').problems.map((problem) => problem.code)).toEqual(['cluster-state-empty']);
    const broken = readClusterState('broken.yaml', 'apiVersion: v1\nkind: List\nitems: [\n---\napiVersion: aadpodidentity.k8s.io/v1\nkind: AzureIdentity\nmetadata: {name: b, namespace: y}\n');
    expect(broken.problems.map((problem) => [problem.code, problem.at.file])).toEqual([['cluster-state-parse-error', 'broken.yaml']]);
    expect(broken.objects.map((object) => object.kind)).toEqual(['AzureIdentity']);
  });
});
