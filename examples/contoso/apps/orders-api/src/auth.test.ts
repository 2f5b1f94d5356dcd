import { ManagedIdentityCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';

describe('createCredential', () => {
  it('builds a managed identity credential for a client ID', () => {
    const credential = new ManagedIdentityCredential('00000000-0000-0000-0000-000000000000');
    expect(credential).toBeDefined();
  });
});
