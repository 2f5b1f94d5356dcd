import { describe, expect, it } from 'vitest';
import { isGuid, referenceKey, splitResourceId } from '../../src/podidentity/crds.js';

describe('splitResourceId', () => {
  it('splits a user-assigned identity ID, matching path segments case-insensitively', () => {
    expect(splitResourceId('/subscriptions/s-1/resourcegroups/RG-Ops/providers/microsoft.managedidentity/userassignedidentities/id-x')).toEqual({
      subscriptionId: 's-1', resourceGroup: 'RG-Ops', identityName: 'id-x',
    });
  });

  it.each([
    '/a/b/c',
    '/subscriptions/s/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x',
    '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/x',
    'subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x',
    '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x/extra',
  ])('rejects %s', (id) => {
    expect(splitResourceId(id)).toBeNull();
  });
});

describe('isGuid', () => {
  it('accepts GUIDs and rejects placeholders and the all-zero GUID', () => {
    expect(isGuid('6F1D2C3B-0A9E-4B8C-9D7E-1F2A3B4C5D6E')).toBe(true);
    expect(isGuid('CLIENT_ID')).toBe(false);
    expect(isGuid('<IDENTITY_CLIENT_ID>')).toBe(false);
    expect(isGuid('00000000-0000-0000-0000-000000000000')).toBe(false);
  });
});

describe('referenceKey', () => {
  it('uses the literal name with Kustomize affixes, or chart-qualified normalised template text', () => {
    expect(referenceKey({ value: 'id', at: { file: 'f', line: 1, column: 1 } }, null, 'prod-', '-x')).toBe('prod-id-x');
    const templated = (template: string) => referenceKey({ value: null, template, at: { file: 'f', line: 1, column: 1 } }, 'charts/a');
    expect(templated('{{- $fullname }}-identity')).toBe(templated('{{ $fullname -}}-identity'));
    expect(templated('{{ $fullname }}')).not.toBe(referenceKey({ value: null, template: '{{ $fullname }}', at: { file: 'f', line: 1, column: 1 } }, 'charts/b'));
  });
});
