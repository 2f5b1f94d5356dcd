import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readers } from '../../src/deps/index.js';
import { bomAzureIdentity, buildKnowledge, classify, isListed, loadDependencyKnowledge } from '../../src/deps/knowledge.js';
import { dependencyRuleSchemas } from '../../src/deps/knowledge-schema.js';
import { ConfigError } from '../../src/model/errors.js';
import type { Ecosystem } from '../../src/model/application.js';

const knowledge = loadDependencyKnowledge();
const verdict = (ecosystem: Ecosystem, name: string, version: string | null) => {
  const { supportsWorkloadIdentity, managedIdentityTokenExchange, legacy } = classify(knowledge, ecosystem, name, version);
  return [supportsWorkloadIdentity, managedIdentityTokenExchange, legacy];
};

describe('identity rules', () => {
  it('loads and validates the rule files, each row with a source', () => {
    expect(knowledge.floors.map((floor) => `${floor.ecosystem}:${floor.package}`).sort()).toEqual([
      'go:github.com/Azure/azure-sdk-for-go/sdk/azidentity', 'maven:com.azure:azure-identity', 'npm:@azure/identity',
      'nuget:Azure.Identity', 'pypi:azure-identity', 'vcpkg:azure-identity-cpp',
    ]);
    for (const row of [...knowledge.floors, ...knowledge.libraries, ...knowledge.boms]) expect(row.source.length).toBeGreaterThan(10);
  });

  it('puts the workload-identity floor and the token-exchange version where DOMAIN section 3 says', () => {
    // [supportsWorkloadIdentity, managedIdentityTokenExchange, legacy]
    expect(verdict('nuget', 'Azure.Identity', '1.9.0')).toEqual([true, true, false]);
    expect(verdict('nuget', 'azure.identity', '1.8.2')).toEqual([false, true, false]);
    expect(verdict('nuget', 'Azure.Identity', '1.5.0')).toEqual([false, true, false]);
    expect(verdict('nuget', 'Azure.Identity', '1.4.1')).toEqual([false, false, false]);
    expect(verdict('nuget', 'Azure.Identity', '1.13.0')).toEqual([true, false, false]);
    expect(verdict('nuget', 'Azure.Identity', '1.13.1')).toEqual([true, true, false]);
    expect(verdict('maven', 'com.azure:azure-identity', '1.9.0')).toEqual([true, true, false]);
    expect(verdict('maven', 'com.azure:azure-identity', '1.4.0')).toEqual([false, true, false]);
    expect(verdict('maven', 'com.azure:azure-identity', '1.3.6')).toEqual([false, false, false]);
    expect(verdict('npm', '@azure/identity', '3.2.0')).toEqual([true, true, false]);
    expect(verdict('npm', '@azure/identity', '3.1.4')).toEqual([false, true, false]);
    expect(verdict('npm', '@azure/identity', '2.0.0')).toEqual([false, true, false]);
    expect(verdict('npm', '@azure/identity', '1.5.2')).toEqual([false, false, false]);
    expect(verdict('pypi', 'Azure_Identity', '1.13.0')).toEqual([true, true, false]);
    expect(verdict('pypi', 'azure-identity', '1.11.0')).toEqual([false, true, false]);
    expect(verdict('pypi', 'azure-identity', '1.6.1')).toEqual([false, false, false]);
    expect(verdict('go', 'github.com/Azure/azure-sdk-for-go/sdk/azidentity', 'v1.3.0')).toEqual([true, false, false]);
    expect(verdict('go', 'github.com/Azure/azure-sdk-for-go/sdk/azidentity', 'v1.3.0-beta.1')).toEqual([false, false, false]);
    expect(verdict('vcpkg', 'azure-identity-cpp', '1.6.0')).toEqual([true, false, false]);
    expect(verdict('vcpkg', 'azure-identity-cpp', '1.5.1')).toEqual([false, false, false]);
  });

  it('gives no verdict for an unknown version or another package, and legacy for IMDS-only libraries', () => {
    expect(verdict('npm', '@azure/identity', null)).toEqual([null, null, false]);
    expect(verdict('npm', '@azure/identity', 'not-a-version')).toEqual([null, null, false]);
    expect(verdict('npm', 'express', '4.18.2')).toEqual([null, null, false]);
    expect(verdict('npm', 'ms-rest-azure', '3.0.2')).toEqual([false, false, true]);
    expect(verdict('pypi', 'MSRestAzure', null)).toEqual([false, false, true]);
    expect(verdict('nuget', 'microsoft.azure.services.appauthentication', '1.6.2')).toEqual([false, false, true]);
    expect(verdict('go', 'github.com/Azure/go-autorest/autorest/adal', 'v0.9.23')).toEqual([false, false, true]);
    expect(verdict('maven', 'com.microsoft.azure:msal4j', '1.14.0')).toEqual([null, null, false]);
  });

  it('lists MSAL only when the application depends on it directly', () => {
    expect(isListed(knowledge, 'npm', '@azure/msal-node', true)).toBe(true);
    expect(isListed(knowledge, 'npm', '@azure/msal-node', false)).toBe(false);
    expect(isListed(knowledge, 'npm', 'adal-node', false)).toBe(true);
    expect(isListed(knowledge, 'npm', 'express', true)).toBe(false);
  });

  it('resolves azure-identity through the BOM table only for listed BOM versions', () => {
    expect(bomAzureIdentity(knowledge, '1.2.30')?.azureIdentity).toBe('1.14.2');
    expect(bomAzureIdentity(knowledge, '1.2.24')).toBeNull();
  });

  it('names the field of a wrong row', () => {
    const floors = dependencyRuleSchemas['sdk-floors.yaml'].safeParse([
      { ecosystem: 'pypi', package: 'azure-identity', workloadIdentityCredential: 'one.thirteen', managedIdentityTokenExchange: '1.7.0', tokenExchangeRegressions: [], source: 'x' },
    ]);
    expect(floors.success).toBe(false);
    expect(floors.error?.issues[0]?.path).toEqual([0, 'workloadIdentityCredential']);
    const libraries = dependencyRuleSchemas['identity-libraries.yaml'].safeParse([{ ecosystem: 'npm', package: 'x', kind: 'ancient', note: 'n', source: 's' }]);
    expect(libraries.error?.issues[0]?.path).toEqual([0, 'kind']);
    const boms = dependencyRuleSchemas['azure-sdk-bom.yaml'].safeParse([{ bom: '1.2.0', azureIdentity: '1.5.0' }]);
    expect(boms.error?.issues[0]?.path).toEqual([0, 'source']);
    expect(() => buildKnowledge(knowledge.floors, [...knowledge.libraries, ...knowledge.libraries.slice(0, 1)], [])).toThrow(ConfigError);
  });
});

describe('reader registry', () => {
  it('has one reader per ecosystem, each in its own module', () => {
    const ecosystems = readers.map((reader) => reader.ecosystem);
    expect(ecosystems).toEqual(['npm', 'pypi', 'nuget', 'maven', 'go', 'vcpkg']);
    const modules = readdirSync(fileURLToPath(new URL('../../src/deps/', import.meta.url)));
    for (const ecosystem of ecosystems) expect(modules).toContain(`${ecosystem}.ts`);
  });
});
