import { ManagedIdentityCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/identity';

/**
 * The credential the orders API uses for Key Vault and Service Bus. Written for aad-pod-identity: it asks for the
 * user-assigned identity by client ID, which NMI then served.
 */
export function createCredential(): TokenCredential {
  return new ManagedIdentityCredential(process.env.AZURE_CLIENT_ID);
}
