import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseGoMod } from '../../src/deps/go.js';
import { jsonPathKey, locateJson, parseJsonText } from '../../src/deps/json-text.js';
import { blankComments, catalogAccessor } from '../../src/deps/maven-gradle.js';
import { globToRegExp, parsePnpmKey, splitDescriptor } from '../../src/deps/npm-lockfiles.js';
import { nameFromUrl, parsePep508, parseRequirementsFile } from '../../src/deps/pypi-requirements.js';
import { TomlLines } from '../../src/deps/toml-lines.js';

describe('go.mod', () => {
  it('reads require lines and blocks, indirect markers, replace directives and quoted paths', () => {
    const mod = parseGoMod([
      'module "github.com/contoso/x" // the module',
      '',
      'require (',
      '\tgithub.com/Azure/azure-sdk-for-go/sdk/azidentity v1.5.1',
      '\tgithub.com/Azure/go-autorest/autorest/adal v0.9.23 // indirect',
      '\tgithub.com/a/b v1.0.0 // indirect; needed by c',
      ')',
      'require github.com/Azure/azure-sdk-for-go v68.0.0+incompatible',
      'replace (',
      '\tgithub.com/a/b v1.0.0 => github.com/a/b v1.0.1',
      '\tgithub.com/c/d => ../d',
      ')',
      'exclude github.com/e/f v0.1.0',
    ].join('\n'));
    expect(mod.module).toBe('github.com/contoso/x');
    expect(mod.requires.map((r) => [r.path, r.version, r.indirect, r.line])).toEqual([
      ['github.com/Azure/azure-sdk-for-go/sdk/azidentity', 'v1.5.1', false, 4],
      ['github.com/Azure/go-autorest/autorest/adal', 'v0.9.23', true, 5],
      ['github.com/a/b', 'v1.0.0', true, 6],
      ['github.com/Azure/azure-sdk-for-go', 'v68.0.0+incompatible', false, 8],
    ]);
    expect(mod.replaces).toEqual([
      { path: 'github.com/a/b', version: 'v1.0.0', newPath: 'github.com/a/b', newVersion: 'v1.0.1', line: 10 },
      { path: 'github.com/c/d', version: null, newPath: '../d', newVersion: null, line: 11 },
    ]);
    expect(mod.errors).toEqual([]);
  });

  it('collects errors with their lines instead of throwing', () => {
    expect(parseGoMod('module x\nrequire github.com/a/b\nfrobnicate y\nreplace a =>').errors.map((error) => error.line)).toEqual([2, 3, 4]);
  });
});

describe('requirements files', () => {
  it('joins continuation lines, drops comments and per-requirement options, and keeps the first line number', () => {
    const lines = parseRequirementsFile([
      '# comment',
      'azure-identity==1.12.0 \\',
      '    --hash=sha256:aa \\',
      '    --hash=sha256:bb',
      'msal>=1.20  # trailing comment',
      '-r base.txt',
      '--constraint=pins.txt',
      '--extra-index-url https://example.com/simple',
      'requests[socks] (>=2.31) ; python_version >= "3.8"',
      'git+https://github.com/contoso/lib.git@v1#egg=contoso_lib',
      'http://example.com/pkg#fragment',
    ].join('\n'));
    expect(lines).toEqual([
      { kind: 'requirement', line: 2, requirement: { name: 'azure-identity', specifier: '==1.12.0', url: null } },
      { kind: 'requirement', line: 5, requirement: { name: 'msal', specifier: '>=1.20', url: null } },
      { kind: 'include', line: 6, constraint: false, path: 'base.txt' },
      { kind: 'include', line: 7, constraint: true, path: 'pins.txt' },
      { kind: 'requirement', line: 9, requirement: { name: 'requests', specifier: '>=2.31', url: null } },
      { kind: 'requirement', line: 10, requirement: { name: 'contoso_lib', specifier: null, url: 'git+https://github.com/contoso/lib.git@v1#egg=contoso_lib' } },
      { kind: 'requirement', line: 11, requirement: { name: 'http://example.com/pkg#fragment', specifier: null, url: 'http://example.com/pkg#fragment' } },
    ]);
  });

  it('parses PEP 508 strings and names wheel files', () => {
    expect(parsePep508('Azure_Identity[aio] >= 1.13 , < 2 ; sys_platform == "linux"')).toEqual({ name: 'Azure_Identity', specifier: '>=1.13,<2', url: null });
    expect(parsePep508('pkg @ https://example.com/pkg-1.0.tar.gz ; python_version<"3.9"')).toEqual({ name: 'pkg', specifier: null, url: 'https://example.com/pkg-1.0.tar.gz' });
    expect(parsePep508('pkg >= banana')).toBeNull();
    expect(nameFromUrl('./dist/azure_identity-1.16.0-py3-none-any.whl')).toEqual({ name: 'azure_identity', version: '1.16.0' });
    expect(nameFromUrl('https://example.com/msal-1.26.0.tar.gz')).toEqual({ name: 'msal', version: '1.26.0' });
  });
});

describe('JSON positions', () => {
  it('finds the offsets of nested keys and array elements in one pass', () => {
    const text = '{\n  "a": {"b": [10, {"c": 1}]},\n  "node_modules/@azure/identity": {\n    "version": "3.4.2"\n  }\n}';
    const found = locateJson(text, [['a', 'b', '1', 'c'], ['node_modules/@azure/identity', 'version'], ['missing']]);
    expect(found.get(jsonPathKey(['a', 'b', '1', 'c']))).toBe(text.indexOf('"c"'));
    expect(found.get(jsonPathKey(['node_modules/@azure/identity', 'version']))).toBe(text.indexOf('"version"'));
    expect(found.has(jsonPathKey(['missing']))).toBe(false);
  });

  it('reports the offset of the first syntax error', () => {
    const result = parseJsonText('{\n  "a": [1, 2,, 3]\n}');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.offset).toBe('{\n  "a": [1, 2,'.length);
  });

  it('agrees with JSON.parse about which documents are valid (bounded property run)', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(40), (json, cut) => {
        const text = json.slice(0, Math.max(0, json.length - cut));
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(parseJsonText(text).ok).toBe(valid);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('npm lockfile keys', () => {
  it('splits yarn descriptors and pnpm keys of every lockfile version', () => {
    expect(splitDescriptor('@azure/identity@npm:^4.0.0')).toEqual({ name: '@azure/identity', range: 'npm:^4.0.0' });
    expect(splitDescriptor('ms-rest-azure@^3.0.0')).toEqual({ name: 'ms-rest-azure', range: '^3.0.0' });
    expect(parsePnpmKey('/@azure/identity/2.1.0_@azure+core@1.0.0', 5)).toEqual({ name: '@azure/identity', version: '2.1.0' });
    expect(parsePnpmKey('/@azure/identity@3.1.4(react@18.2.0)', 6)).toEqual({ name: '@azure/identity', version: '3.1.4' });
    expect(parsePnpmKey('@azure/identity@4.2.0', 9)).toEqual({ name: '@azure/identity', version: '4.2.0' });
    expect(parsePnpmKey('github.com/contoso/lib/0123abc', 9)).toBeNull();
  });

  it('matches workspace globs to member folders', () => {
    expect(globToRegExp('packages/*').test('packages/web')).toBe(true);
    expect(globToRegExp('packages/*').test('packages/web/sub')).toBe(false);
    expect(globToRegExp('apps/**').test('apps/a/b')).toBe(true);
    expect(globToRegExp('./tools/cli/').test('tools/cli')).toBe(true);
  });
});

describe('Gradle and TOML text', () => {
  it('blanks comments but not comment-like text inside strings', () => {
    const code = 'a "http://x" // c\n/* d\n e */ b \'//\'';
    const blanked = blankComments(code);
    expect(blanked).toContain('"http://x"');
    expect(blanked).toContain("'//'");
    expect(blanked).not.toContain(' c');
    expect(blanked.split('\n')).toHaveLength(3);
  });

  it('maps catalog aliases to accessors', () => {
    expect(catalogAccessor('azure-identity')).toBe('azure.identity');
    expect(catalogAccessor('azure_identity')).toBe('azure.identity');
  });

  it('finds table, key and string lines', () => {
    const lines = new TomlLines('[project]\nname = "x"\ndependencies = [\n  "a>=1",\n  "b",\n]\n\n[[package]]\nname = "a"\n\n[[package]]\nname = "b"\nversion = "2"\n');
    expect(lines.keyLine('project', 'dependencies')).toBe(3);
    expect(lines.stringLine('project', 'dependencies', 'b')).toBe(5);
    expect(lines.tableLine('package', 1)).toBe(11);
    expect(lines.keyLine('package', 'version', 1)).toBe(13);
    expect(lines.keyLine('package', 'version', 0)).toBeNull();
  });
});
