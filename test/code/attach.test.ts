import { describe, expect, it } from 'vitest';
import type { Application, CredentialUse, Dependency } from '../../src/model/application.js';
import { attachCredentialUses } from '../../src/run.js';

const dependency = (name: string): Dependency => ({
  ecosystem: 'nuget', name, version: '3.1.24', declared: '3.1.24', resolution: 'exact', skip: null, file: 'x', line: 1,
  supportsWorkloadIdentity: null, managedIdentityTokenExchange: null, legacy: true, direct: true,
});
const app = (path: string, dependencies: Dependency[]): Application => ({ path, kind: 'dependencies', name: path, ecosystems: ['nuget'], dependencies, credentialUses: [] });
const use = (file: string): CredentialUse => ({
  file, line: 3, column: 5, language: 'csharp', api: 'AddAzureKeyVault', category: 'legacy-library', detail: 'AzureServiceTokenProvider', test: false,
  requires: { ecosystem: 'nuget', package: 'Microsoft.Extensions.Configuration.AzureKeyVault' },
});

describe('uses that stand for a package', () => {
  it('count in an application that has the package, and are dropped as namesakes elsewhere; the marker never leaves', () => {
    const apps = attachCredentialUses(
      [app('legacy', [dependency('Microsoft.Extensions.Configuration.AzureKeyVault')]), app('own', [dependency('Azure.Extensions.AspNetCore.Configuration.Secrets')])],
      [use('legacy/Program.cs'), use('own/Program.cs'), use('tools/Script.cs')],
      '/repo',
    );
    const byPath = Object.fromEntries(apps.map((item) => [`${item.kind}:${item.path}`, item.credentialUses]));
    expect(byPath['dependencies:legacy']?.map((item) => item.file)).toEqual(['legacy/Program.cs']);
    expect(byPath['dependencies:legacy']?.[0]).not.toHaveProperty('requires');
    expect(byPath['dependencies:own']).toEqual([]);
    expect(byPath['loose-files:.']).toBeUndefined();
  });
});
