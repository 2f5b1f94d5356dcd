import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCredentialUses, GrammarCache } from '../../src/code/index.js';
import { copyFixture, openRepo } from '../helpers/repo.js';

const contoso = join(import.meta.dirname, '..', '..', 'examples', 'contoso');

describe('the Contoso example repository', () => {
  it('carries legacy and modern credential code in five languages and a shell entrypoint', async () => {
    const { repo, sink } = openRepo(copyFixture(contoso));
    const uses = await findCredentialUses(repo, sink, { grammars: new GrammarCache() });
    expect(uses.map((use) => `${use.file}:${use.line} ${use.category} ${use.api} ${use.selection ?? '-'}${use.test ? ' test' : ''}`)).toEqual([
      'apps/inventory/src/main/java/com/contoso/inventory/StorageConfig.java:13 modern DefaultAzureCredentialBuilder -',
      'apps/orders-api/src/auth.test.ts:6 managed-identity-credential ManagedIdentityCredential client-id test',
      'apps/orders-api/src/auth.ts:9 managed-identity-credential ManagedIdentityCredential client-id',
      'apps/orders-api/src/mgmt.ts:5 legacy-library loginWithMSI system-assigned/default',
      'apps/payments/Program.cs:7 modern DefaultAzureCredential -',
      'apps/reports/reports/auth.py:9 legacy-library MSIAuthentication client-id',
      'apps/reports/reports/export.py:11 imds-http 169.254.169.254/metadata/identity/oauth2/token system-assigned/default',
      'apps/shipping/main.go:15 managed-identity-credential NewManagedIdentityCredential client-id',
      'apps/shipping/scripts/entrypoint.sh:4 cli-identity-login az login --identity system-assigned/default',
    ]);
    expect(sink.all).toEqual([]);
  });
});
