import { describe, expect, it } from 'vitest';
import { configFileReader } from '../../src/code/config-files.js';
import { loadCredentialRules } from '../../src/code/rules.js';

const reader = configFileReader(loadCredentialRules());

describe('configuration files', () => {
  it('knows the files drivers read connection strings from, by name', () => {
    expect(reader.languageOf('src/Api/appsettings.json')).toBe('csharp');
    expect(reader.languageOf('src/Api/appsettings.Production.json')).toBe('csharp');
    expect(reader.languageOf('reports/src/main/resources/application-prod.properties')).toBe('java');
    expect(reader.languageOf('reports/src/main/resources/application.yml')).toBe('java');
    expect(reader.languageOf('src/Api/settings.json')).toBeNull();
    expect(reader.languageOf('package.json')).toBeNull();
  });

  it('reads a driver setting in a JSON connection string, wherever it sits in the string', () => {
    const text = ['{', '  "ConnectionStrings": {', '    "Db": "Server=tcp:x,1433;Authentication=Active Directory Default"', '  }', '}'].join('\n');
    const uses = reader.uses('api/appsettings.json', text, 'csharp', false);
    expect(uses.map((use) => [use.line, use.category, use.via?.package])).toEqual([[3, 'modern', 'Microsoft.Data.SqlClient']]);
  });

  it('reads a JDBC URL in properties and YAML, and ignores comments and other drivers', () => {
    const properties = ['# authentication=ActiveDirectoryMSI was the old setting', 'spring.datasource.url=jdbc:sqlserver://db:1433;database=r;authentication=ActiveDirectoryManagedIdentity'].join('\n');
    expect(reader.uses('app/application.properties', properties, 'java', false).map((use) => [use.line, use.category])).toEqual([[2, 'managed-identity-credential']]);
    const yaml = ['spring:', '  datasource:', '    url: jdbc:sqlserver://db:1433;authentication=ActiveDirectoryDefault'].join('\n');
    expect(reader.uses('app/application.yml', yaml, 'java', false).map((use) => [use.line, use.category])).toEqual([[3, 'modern']]);
    expect(reader.uses('app/application.properties', 'spring.datasource.url=jdbc:postgresql://db/r', 'java', false)).toEqual([]);
  });

  it('reads a framework setting that builds its credential with the application\'s Azure Identity (no driver)', () => {
    const text = ['spring.cloud.azure.credential.managed-identity-enabled=true', 'spring.cloud.azure.credential.client-id=${CLIENT_ID}'].join('\n');
    const uses = reader.uses('app/src/main/resources/application.properties', text, 'java', false);
    expect(uses.map((use) => [use.line, use.category, use.via])).toEqual([[1, 'managed-identity-credential', undefined]]);
    expect(reader.uses('app/src/main/resources/application.properties', 'spring.cloud.azure.credential.managed-identity-enabled=false', 'java', false)).toEqual([]);
  });
});
