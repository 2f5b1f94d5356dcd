import { describe, expect, it } from 'vitest';
import { decide, type DecisionContext } from '../../src/plan/decide.js';
import type { ApplicationLink } from '../../src/plan/model.js';
import { application, dependency, sdk, use, workload } from './fixtures.js';

const context: DecisionContext = { sdk, betweenVersions: 'latest', restrictedNamespaces: new Map() };
const linked = (path: string): ApplicationLink[] => [{ path, confidence: 'high', method: 'image-build', message: 'test', evidence: null }];
const codes = (items: readonly { code: string }[]) => items.map((item) => item.code);

describe('decide', () => {
  it('is unknown without a linked application', () => {
    const decision = decide(workload({ name: 'a' }), [], [], context);
    expect(decision.path).toBe('unknown');
    expect(codes(decision.reasons)).toEqual(['application-unlinked']);
  });

  it('is latest when the identity library is at or above the floor and the code uses a modern credential', () => {
    const app = application('apps/a', [dependency('npm', '@azure/identity', '4.2.0', { supportsWorkloadIdentity: true, managedIdentityTokenExchange: true })], [use('modern', 'typescript', 'DefaultAzureCredential')]);
    const decision = decide(workload({ name: 'a' }), linked('apps/a'), [app], context);
    expect(decision.path).toBe('latest');
    expect(decision.proxy).toBeNull();
  });

  it('is legacy for an SDK below the token-exchange version, with the upgrade target', () => {
    const app = application('apps/a', [dependency('npm', '@azure/identity', '1.5.2', { supportsWorkloadIdentity: false, managedIdentityTokenExchange: false })], [use('managed-identity-credential', 'typescript', 'ManagedIdentityCredential', 'client-id')]);
    const decision = decide(workload({ name: 'a' }), linked('apps/a'), [app], context);
    expect(decision.path).toBe('legacy');
    expect(codes(decision.reasons)).toContain('sdk-below-token-exchange');
    expect(decision.sdkUpgrades).toEqual([expect.objectContaining({ package: '@azure/identity', from: '1.5.2', to: '>= 3.2.0' })]);
    expect(decision.proxy).toEqual({ port: null });
  });

  it.each([
    ['legacy-library', 'javascript', 'loginWithMSI'],
    ['imds-http', 'python', '169.254.169.254 token'],
    ['cli-identity-login', 'shell', 'az login --identity'],
  ] as const)('is legacy when the code uses %s', (category, language, api) => {
    const app = application('apps/a', [], [use(category, language, api)]);
    expect(decide(workload({ name: 'a' }), linked('apps/a'), [app], context).path).toBe('legacy');
  });

  it('is legacy for ManagedIdentityCredential in Go at any version', () => {
    const app = application('apps/a', [dependency('go', 'github.com/Azure/azure-sdk-for-go/sdk/azidentity', 'v1.5.1', { supportsWorkloadIdentity: true, managedIdentityTokenExchange: false })], [use('managed-identity-credential', 'go', 'NewManagedIdentityCredential', 'client-id')]);
    const decision = decide(workload({ name: 'a' }), linked('apps/a'), [app], context);
    expect(decision.path).toBe('legacy');
    expect(codes(decision.reasons)).toContain('managed-identity-credential-imds');
  });

  it('needs the code to decide when the version supports only some credentials (Go, C++, .NET 1.13.0)', () => {
    const go = application('apps/a', [dependency('go', 'github.com/Azure/azure-sdk-for-go/sdk/azidentity', 'v1.5.1', { supportsWorkloadIdentity: true, managedIdentityTokenExchange: false })], []);
    expect(decide(workload({ name: 'a' }), linked('apps/a'), [go], context).path).toBe('unknown');
    const goModern = application('apps/a', go.dependencies.slice(), [use('modern', 'go', 'NewDefaultAzureCredential')]);
    expect(decide(workload({ name: 'a' }), linked('apps/a'), [goModern], context).path).toBe('latest');
  });

  it('is legacy for .NET 1.13.0 with a bare ManagedIdentityCredential, latest for DefaultAzureCredential', () => {
    const dep = dependency('nuget', 'Azure.Identity', '1.13.0', { supportsWorkloadIdentity: true, managedIdentityTokenExchange: false });
    const mic = application('apps/a', [dep], [use('managed-identity-credential', 'csharp', 'ManagedIdentityCredential')]);
    expect(decide(workload({ name: 'a' }), linked('apps/a'), [mic], context).path).toBe('legacy');
    const dac = application('apps/a', [dep], [use('modern', 'csharp', 'DefaultAzureCredential')]);
    expect(decide(workload({ name: 'a' }), linked('apps/a'), [dac], context).path).toBe('latest');
  });

  it('counts versions between token exchange and the floor as latest with a warning, or legacy by policy', () => {
    const app = application('apps/a', [dependency('pypi', 'azure-identity', '1.11.0', { supportsWorkloadIdentity: false, managedIdentityTokenExchange: true })], [use('modern', 'python', 'DefaultAzureCredential')]);
    const lenient = decide(workload({ name: 'a' }), linked('apps/a'), [app], context);
    expect(lenient.path).toBe('latest');
    expect(codes(lenient.warnings)).toContain('sdk-below-floor');
    const strict = decide(workload({ name: 'a' }), linked('apps/a'), [app], { ...context, betweenVersions: 'legacy' });
    expect(strict.path).toBe('legacy');
  });

  it('ignores uses in test files', () => {
    const app = application('apps/a', [dependency('npm', '@azure/identity', '4.0.0', { supportsWorkloadIdentity: true, managedIdentityTokenExchange: true })], [use('legacy-library', 'typescript', 'loginWithMSI', '', true)]);
    expect(decide(workload({ name: 'a' }), linked('apps/a'), [app], context).path).toBe('latest');
  });

  it('blocks the legacy path on Windows, hostNetwork, resource-ID selection and the NMI endpoint', () => {
    const legacyApp = (detail: string, category: 'imds-http' | 'nmi-endpoint' = 'imds-http') => application('apps/a', [], [use(category, 'python', 'requests.get', detail)]);
    const windows = decide(workload({ name: 'a', os: 'windows', osAt: { file: 'deploy/a.yaml', line: 30 } }), linked('apps/a'), [legacyApp('client-id')], context);
    expect([windows.path, windows.blocked, windows.proxy]).toEqual(['legacy', true, null]);
    expect(windows.reasons.find((reason) => reason.code === 'blocked-windows')).toMatchObject({ file: 'deploy/a.yaml', line: 30 });
    expect(decide(workload({ name: 'a', hostNetwork: true }), linked('apps/a'), [legacyApp('')], context).blocked).toBe(true);
    expect(codes(decide(workload({ name: 'a' }), linked('apps/a'), [legacyApp('resource-id')], context).reasons)).toContain('blocked-identity-selection');
    expect(codes(decide(workload({ name: 'a' }), linked('apps/a'), [legacyApp('', 'nmi-endpoint')], context).reasons)).toContain('blocked-nmi-endpoint');
  });

  it('does not block Windows on the latest path', () => {
    const app = application('apps/a', [dependency('nuget', 'Azure.Identity', '1.12.0', { supportsWorkloadIdentity: true, managedIdentityTokenExchange: true })], [use('modern', 'csharp', 'DefaultAzureCredential')]);
    const decision = decide(workload({ name: 'a', os: 'windows' }), linked('apps/a'), [app], context);
    expect([decision.path, decision.blocked]).toEqual(['latest', false]);
  });

  it('moves the proxy off a port the app uses instead of blocking', () => {
    const app = application('apps/a', [], [use('imds-http', 'python', 'requests.get')]);
    const decision = decide(workload({ name: 'a', containers: [{ name: 'a', image: 'x', ports: [8000, 8001], init: false, imageAt: null }] }), linked('apps/a'), [app], context);
    expect([decision.blocked, decision.proxy]).toEqual([false, { port: 8002 }]);
    expect(codes(decision.warnings)).toContain('proxy-port-moved');
  });

  it('warns about restricted Pod Security, excluded workload identity and hard-coded token paths', () => {
    const app = application('apps/a', [], [use('imds-http', 'python', 'requests.get'), use('wi-excluded', 'python', 'exclude_workload_identity_credential'), use('hardcoded-token-path', 'python', '/var/run/secrets/azure/tokens/azure-identity-token')]);
    const decision = decide(workload({ name: 'a' }), linked('apps/a'), [app], { ...context, restrictedNamespaces: new Map([['shop', { level: 'restricted', at: { file: 'ns.yaml', line: 6 } }]]) });
    expect(codes(decision.warnings).sort()).toEqual(['hardcoded-token-path', 'pod-security-restricted', 'workload-identity-excluded']);
  });

  it('is unknown when the linked code shows no credential evidence', () => {
    const app = application('apps/a', [dependency('npm', 'express', '4.0.0')], []);
    const decision = decide(workload({ name: 'a' }), linked('apps/a'), [app], context);
    expect(decision.path).toBe('unknown');
    expect(codes(decision.reasons)).toContain('no-credential-evidence');
  });

  it('never says "no credential use" when the linked code has uses that do not decide the path', () => {
    const app = application('apps/a', [], [use('bare-resource-scope', 'csharp', 'TokenRequestContext'), use('app-service-msi', 'csharp', 'IDENTITY_ENDPOINT')]);
    const decision = decide(workload({ name: 'a' }), linked('apps/a'), [app], context);
    expect(decision.path).toBe('unknown');
    const message = decision.reasons.find((item) => item.code === 'no-credential-evidence')?.message ?? '';
    expect(message).toContain('TokenRequestContext, IDENTITY_ENDPOINT');
    expect(message).not.toMatch(/no Azure credential use/);
    expect(codes(decision.warnings).sort()).toEqual(['app-service-msi', 'bare-resource-scope']);
  });

  it('blocks code that programs aad-pod-identity itself, and calls an indirect legacy library no one\'s to remove', () => {
    const api = { ...dependency('go', 'github.com/Azure/aad-pod-identity', 'v1.8.17'), direct: true };
    const adal = { ...dependency('go', 'github.com/Azure/go-autorest/autorest/adal', 'v0.9.23', { legacy: true }), direct: false };
    const app = application('apps/op', [api, adal], [use('managed-identity-credential', 'go', 'NewManagedIdentityCredential', 'client-id')]);
    const podIdentityApi = { ...context, sdk: { ...sdk, isPodIdentityApi: (item: { name: string }) => item.name === 'github.com/Azure/aad-pod-identity' } };
    const decision = decide(workload({ name: 'op' }), linked('apps/op'), [app], podIdentityApi);
    expect(decision.path).toBe('legacy');
    expect(decision.blocked).toBe(true);
    expect(codes(decision.reasons)).toContain('blocked-pod-identity-api');
    expect(codes(decision.warnings)).toEqual(['legacy-library-indirect']);
  });
});
