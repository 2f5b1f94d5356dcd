import { describe, expect, it } from 'vitest';
import { placeholderIn } from '../../src/model/placeholders.js';

describe('placeholders', () => {
  it.each([
    ['${podmi}', '${podmi}'],
    ['${CERT_MANAGER_MI:=tba}', '${CERT_MANAGER_MI:=tba}'],
    ['$TRAEFIK_USER_ASSIGNED_IDENTITY_CLIENT_ID', '$TRAEFIK_USER_ASSIGNED_IDENTITY_CLIENT_ID'],
    ['$(IdentityClientId)', '$(IdentityClientId)'],
    ['#{clientId}#', '#{clientId}#'],
    ['__CLIENT_ID__', '__CLIENT_ID__'],
    ['id-__ENV__-api', '__ENV__'],
    ['{{ .Values.identity }}', '{{ .Values.identity }}'],
    ['{{ var.cluster_name }}-thanos', '{{ var.cluster_name }}'],
    ['<subid>', '<subid>'],
    ['/subscriptions/<subscription-id>/resourceGroups/rg', '<subscription-id>'],
    ['REPLACE_ME', 'REPLACE_ME'],
    ['xxxxxxxx', 'xxxxxxxx'],
    ['CLIENT_ID', 'CLIENT_ID'],
    ['00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000000'],
  ])('finds the placeholder in %s', (text, found) => {
    expect(placeholderIn(text)).toBe(found);
  });

  it.each([
    '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d',
    '/subscriptions/1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f/resourceGroups/rg-dns/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-dns',
    'ghcr.io/pagopa/devops-java-springboot-color:0.10.0',
    'certman-label',
    'price_$5',
    'a__b',
    'default_cluster_name-istio-pod-identity',
    'CLIENTID',
    '00000000-0000-0000-0000-000000000001',
  ])('finds none in %s', (text) => {
    expect(placeholderIn(text)).toBeNull();
  });
});
