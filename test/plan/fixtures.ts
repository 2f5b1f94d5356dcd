import type { Application, CredentialUse, Dependency } from '../../src/model/application.js';
import type { WorkloadReport } from '../../src/model/report.js';
import type { SdkKnowledge } from '../../src/plan/sdk.js';

/** Builders for plan tests: a workload report, applications, dependencies and uses with just the fields that matter. */
export function workload(overrides: Partial<WorkloadReport> & { name: string }): WorkloadReport {
  const namespace = overrides.namespace ?? 'shop';
  return {
    id: `Deployment/${namespace}/${overrides.name}`,
    kind: 'Deployment',
    namespace,
    namespaceSource: 'manifest',
    namespaceAt: null,
    source: 'manifest',
    endLine: 40,
    credentialUses: [],
    origin: null,
    unit: 'plain manifests',
    generic: false,
    file: `deploy/${overrides.name}.yaml`,
    line: 1,
    serviceAccount: { name: overrides.name, implicit: false, exists: true, file: `deploy/${overrides.name}.yaml`, line: 20 },
    podIdentity: {
      selector: overrides.name,
      template: null,
      resolvedAt: null,
      via: 'inline',
      conditions: [],
      inSelector: false,
      file: `deploy/${overrides.name}.yaml`,
      line: 10,
      identities: [identity(overrides.name)],
    },
    workloadIdentity: { useLabel: false, clientId: null, tenantId: null, proxySidecar: false, proxySidecarPort: null, useLabelAt: null, clientIdAt: null },
    os: 'unknown',
    osAt: null,
    hostNetwork: false,
    containers: [{ name: overrides.name, image: `contoso.azurecr.io/${overrides.name}:1.0`, ports: [8080], init: false, imageAt: null }],
    injectedSidecars: [],
    migration: { path: 'unknown', blocked: false, reasons: [], warnings: [] },
    ...overrides,
  };
}

export function identity(name: string, overrides: Partial<ReturnType<typeof baseIdentity>> = {}) {
  return { ...baseIdentity(name), ...overrides };
}

function baseIdentity(name: string) {
  return {
    name: `${name}-identity`,
    namespace: 'shop',
    type: 'user-assigned-managed-identity' as const,
    clientId: '6f1d2c3b-0a9e-4b8c-9d7e-1f2a3b4c5d6e',
    tenantId: null as string | null,
    resourceId: `/subscriptions/3e0b7c55-1d7a-4f0e-9a51-2f6c0d8b9a11/resourceGroups/rg-shop/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-${name}`,
    subscriptionId: '3e0b7c55-1d7a-4f0e-9a51-2f6c0d8b9a11' as string | null,
    resourceGroup: 'rg-shop' as string | null,
    identityName: `id-${name}` as string | null,
    clientIdAt: { file: 'deploy/identity.yaml', line: 9 },
    tenantIdAt: null,
    resourceIdAt: null,
    file: 'deploy/identity.yaml',
    line: 1,
    binding: { name: `${name}-binding`, namespace: 'shop', file: 'deploy/identity.yaml', line: 12 },
    crossNamespace: false,
  };
}

export function dependency(ecosystem: Dependency['ecosystem'], name: string, version: string, flags: Partial<Dependency> = {}): Dependency {
  return {
    ecosystem,
    name,
    version,
    declared: version,
    resolution: 'locked',
    skip: null,
    file: 'apps/x/lock',
    line: 3,
    supportsWorkloadIdentity: null,
    managedIdentityTokenExchange: null,
    legacy: false,
    ...flags,
  };
}

export function use(category: CredentialUse['category'], language: CredentialUse['language'], api: string, detail = '', test = false): CredentialUse {
  return { file: 'apps/x/src/auth.ts', line: 7, column: 3, language, api, category, detail, test };
}

export function application(path: string, dependencies: Dependency[], uses: CredentialUse[], name = path.split('/').pop() ?? path): Application {
  return { path, kind: 'dependencies', name, ecosystems: [...new Set(dependencies.map((item) => item.ecosystem))], dependencies, credentialUses: uses };
}

const floors = {
  npm: { package: '@azure/identity', floor: '3.2.0', tokenExchange: '2.0.0' },
  pypi: { package: 'azure-identity', floor: '1.13.0', tokenExchange: '1.7.0' },
  nuget: { package: 'Azure.Identity', floor: '1.9.0', tokenExchange: '1.5.0' },
  maven: { package: 'com.azure:azure-identity', floor: '1.9.0', tokenExchange: '1.4.0' },
  go: { package: 'github.com/Azure/azure-sdk-for-go/sdk/azidentity', floor: '1.3.0', tokenExchange: null },
  vcpkg: { package: 'azure-identity-cpp', floor: '1.6.0', tokenExchange: null },
} as const;

export const sdk: SdkKnowledge = {
  identityPackage: (ecosystem) => floors[ecosystem],
  isAzureIdentity: (dep) => floors[dep.ecosystem].package.toLowerCase() === dep.name.toLowerCase(),
};
