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
  const at = { source: 'manifest' as const, file: 'f', line: 1, column: 1, span: null };
  it('uses the name when known, and the unit with the display text when part of it is unknown', () => {
    expect(referenceKey({ value: 'prod-id-x', display: 'prod-id-x', origin: at, unknowns: [] }, 'overlays/prod')).toBe('prod-id-x');
    const unknown = { expression: '.Release.Name', reason: 'set at install', origin: at };
    const templated = (unit: string) => referenceKey({ value: null, display: '{{ .Release.Name }}-identity', origin: at, unknowns: [unknown] }, unit);
    expect(templated('charts/a')).toBe(templated('charts/a'));
    expect(templated('charts/a')).not.toBe(templated('charts/b'));
  });
});
