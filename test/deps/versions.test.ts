import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lowestNpm } from '../../src/deps/npm.js';
import { lowestGradle } from '../../src/deps/maven-gradle.js';
import { lowestPoetry } from '../../src/deps/pypi-requirements.js';
import { compareVersions } from '../../src/deps/versions/index.js';
import { compareMavenVersions, lowestMaven } from '../../src/deps/versions/maven-version.js';
import { lowestNuget, normalizeNugetVersion } from '../../src/deps/versions/nuget-version.js';
import { comparePep440Text, lowestAllowed, normalizePypiName, parseSpecifierSet, specifierSetContains } from '../../src/deps/versions/pep440.js';

/** Sorting must give exactly this order (each adjacent pair strictly increasing). */
function expectAscending(compare: (a: string, b: string) => number | null, versions: readonly string[]): void {
  for (let i = 0; i + 1 < versions.length; i++) {
    const a = versions[i] ?? '';
    const b = versions[i + 1] ?? '';
    expect(compare(a, b), `${a} < ${b}`).toBe(-1);
    expect(compare(b, a), `${b} > ${a}`).toBe(1);
  }
}

describe('PEP 440', () => {
  it('orders versions as the specification does', () => {
    expectAscending(comparePep440Text, [
      '1.0.dev456', '1.0a1', '1.0a2.dev456', '1.0a12.dev456', '1.0a12', '1.0b1.dev456', '1.0b2', '1.0b2.post345.dev456',
      '1.0b2.post345', '1.0rc1.dev456', '1.0rc1', '1.0', '1.0+abc.5', '1.0+abc.7', '1.0+5', '1.0.post456.dev34', '1.0.post456',
      '1.0.15', '1.1.dev1', '1.13.0b2', '1.13.0', '1!0.1',
    ]);
    expect(comparePep440Text('1.13', '1.13.0')).toBe(0);
    expect(comparePep440Text('1.13.0-beta.2', '1.13.0b2')).toBe(0);
    expect(comparePep440Text('v1.0', '1.0')).toBe(0);
    expect(comparePep440Text('not a version', '1.0')).toBeNull();
  });

  it('finds the lowest version a specifier set allows', () => {
    const lowest = (spec: string) => lowestAllowed(parseSpecifierSet(spec) ?? []);
    expect(lowest('==1.6.1')).toEqual({ kind: 'exact', version: '1.6.1' });
    expect(lowest('===1.6.1-custom')).toEqual({ kind: 'exact', version: '1.6.1-custom' });
    expect(lowest('>=1.13,<2')).toEqual({ kind: 'range', version: '1.13' });
    expect(lowest('~=1.12.0')).toEqual({ kind: 'range', version: '1.12.0' });
    expect(lowest('==1.14.*')).toEqual({ kind: 'range', version: '1.14' });
    expect(lowest('>=1.0,>=1.12')).toEqual({ kind: 'range', version: '1.12' });
    expect(lowest('>1.12.0')).toEqual({ kind: 'skip', skip: 'exclusive-lower-bound' });
    expect(lowest('>=1.12.0,>1.12.0')).toEqual({ kind: 'skip', skip: 'exclusive-lower-bound' });
    expect(lowest('>=1.12.0,!=1.12.0')).toEqual({ kind: 'skip', skip: 'exclusive-lower-bound' });
    expect(lowest('>1.0,>=1.12')).toEqual({ kind: 'range', version: '1.12' });
    expect(lowest('<2')).toEqual({ kind: 'skip', skip: 'no-lower-bound' });
    expect(lowest('>=2,<1')).toEqual({ kind: 'skip', skip: 'unsatisfiable-range' });
    expect(lowest('==1.5,>=2')).toEqual({ kind: 'skip', skip: 'unsatisfiable-range' });
    expect(lowest('')).toEqual({ kind: 'skip', skip: 'unpinned' });
    expect(parseSpecifierSet('~=1')).toBeNull();
    expect(parseSpecifierSet('>=1.*')).toBeNull();
    expect(parseSpecifierSet('>=banana')).toBeNull();
  });

  it('applies the exclusive-bound rules to pre- and post-releases', () => {
    const contains = (spec: string, version: string) => specifierSetContains(parseSpecifierSet(spec) ?? [], version);
    expect(contains('<1.13', '1.13.0b2')).toBe(false);
    expect(contains('<1.13b3', '1.13.0b2')).toBe(true);
    expect(contains('>1.7', '1.7.post1')).toBe(false);
    expect(contains('>1.7', '1.7.1')).toBe(true);
    expect(contains('~=1.12.0', '1.12.9')).toBe(true);
    expect(contains('~=1.12.0', '1.13.0')).toBe(false);
    expect(contains('==1.2.*', '1.2.0rc1')).toBe(true);
    expect(contains('!=1.2.*', '1.3')).toBe(true);
  });

  it('normalises names per PEP 503', () => {
    expect(['Azure_Identity', 'azure.identity', 'AZURE--identity', 'azure-identity'].map(normalizePypiName)).toEqual(Array(4).fill('azure-identity'));
  });

  it('orders randomly generated versions consistently (antisymmetric, transitive)', () => {
    const version = fc
      .tuple(fc.array(fc.nat(20), { minLength: 1, maxLength: 4 }), fc.constantFrom('', 'a1', 'b2', 'rc1', '.post1', '.dev3', 'rc1.post2'))
      .map(([release, suffix]) => `${release.join('.')}${suffix}`);
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        const ab = comparePep440Text(a, b) ?? 99;
        expect(comparePep440Text(b, a)).toBe(-ab === 0 ? 0 : -ab);
        if (ab <= 0 && (comparePep440Text(b, c) ?? 99) <= 0) expect(comparePep440Text(a, c)).toBeLessThanOrEqual(0);
      }),
      { numRuns: 300, seed: 440 },
    );
  });
});

describe('Poetry constraints', () => {
  it('reads carets, tildes, bare versions and alternatives', () => {
    expect(lowestPoetry('^1.12.0')).toEqual({ kind: 'range', version: '1.12.0' });
    expect(lowestPoetry('~1.13')).toEqual({ kind: 'range', version: '1.13' });
    expect(lowestPoetry('1.13.0')).toEqual({ kind: 'exact', version: '1.13.0' });
    expect(lowestPoetry('>=1.12 <2.0')).toEqual({ kind: 'range', version: '1.12' });
    expect(lowestPoetry('^1.15 || ^1.12')).toEqual({ kind: 'range', version: '1.12' });
    expect(lowestPoetry('*')).toEqual({ kind: 'skip', skip: 'unpinned' });
    expect(lowestPoetry('^banana')).toEqual({ kind: 'skip', skip: 'invalid-version' });
  });
});

describe('npm ranges', () => {
  it('reports exact pins, range floors and what cannot be known', () => {
    expect(lowestNpm('3.2.0')).toEqual({ kind: 'exact', version: '3.2.0' });
    expect(lowestNpm('^3.2.2')).toEqual({ kind: 'range', version: '3.2.2' });
    expect(lowestNpm('~2.0.4')).toEqual({ kind: 'range', version: '2.0.4' });
    expect(lowestNpm('>=3.2.0 <5 || ^2')).toEqual({ kind: 'range', version: '2.0.0' });
    expect(lowestNpm('3.x')).toEqual({ kind: 'range', version: '3.0.0' });
    expect(lowestNpm('>1.5.0')).toEqual({ kind: 'range', version: '1.5.1' });
    expect(lowestNpm('<2.0.0')).toEqual({ kind: 'skip', skip: 'no-lower-bound' });
    expect(lowestNpm('*')).toEqual({ kind: 'skip', skip: 'unpinned' });
    expect(lowestNpm('latest')).toEqual({ kind: 'skip', skip: 'dynamic-version' });
    expect(lowestNpm('github:Azure/azure-sdk-for-js#main')).toEqual({ kind: 'skip', skip: 'git-dependency' });
    expect(lowestNpm('Azure/azure-sdk-for-js')).toEqual({ kind: 'skip', skip: 'git-dependency' });
    expect(lowestNpm('file:../identity')).toEqual({ kind: 'skip', skip: 'local-path' });
    expect(lowestNpm('workspace:*')).toEqual({ kind: 'skip', skip: 'workspace' });
    expect(lowestNpm('https://example.com/identity.tgz')).toEqual({ kind: 'skip', skip: 'url-dependency' });
    expect(lowestNpm('>=3 <2')).toEqual({ kind: 'skip', skip: 'unsatisfiable-range' });
  });

  it('orders pre-releases below their release (1.3.0-beta.1 < 1.3.0)', () => {
    expect(compareVersions('npm', '3.2.0-beta.1', '3.2.0')).toBe(-1);
    expect(compareVersions('go', 'v1.3.0-beta.1', 'v1.3.0')).toBe(-1);
    expect(compareVersions('go', 'v1.3.0-0.20230101120000-abcdef123456', 'v1.3.0')).toBe(-1);
    expect(compareVersions('go', 'v67.2.0+incompatible', 'v67.2.0')).toBe(0);
    expect(compareVersions('nuget', '1.9.0-beta.2', '1.9.0')).toBe(-1);
    expect(compareVersions('maven', '1.9.0-beta.1', '1.9.0')).toBe(-1);
    expect(compareVersions('pypi', '1.13.0b2', '1.13.0')).toBe(-1);
    expect(compareVersions('vcpkg', '1.6.0-beta.1', '1.6.0')).toBe(-1);
  });
});

describe('NuGet versions', () => {
  it('reads ranges the NuGet way (a bare version is a minimum)', () => {
    expect(lowestNuget('1.12.0')).toEqual({ kind: 'range', version: '1.12.0' });
    expect(lowestNuget('1.12')).toEqual({ kind: 'range', version: '1.12.0' });
    expect(lowestNuget('[1.12.0]')).toEqual({ kind: 'exact', version: '1.12.0' });
    expect(lowestNuget('[1.9, 2.0)')).toEqual({ kind: 'range', version: '1.9.0' });
    expect(lowestNuget('(1.9,2.0)')).toEqual({ kind: 'skip', skip: 'exclusive-lower-bound' });
    expect(lowestNuget('(,2.0]')).toEqual({ kind: 'skip', skip: 'no-lower-bound' });
    expect(lowestNuget('[2.0,1.0]')).toEqual({ kind: 'skip', skip: 'unsatisfiable-range' });
    expect(lowestNuget('1.*')).toEqual({ kind: 'range', version: '1.0.0' });
    expect(lowestNuget('1.12.*')).toEqual({ kind: 'range', version: '1.12.0' });
    expect(lowestNuget('*')).toEqual({ kind: 'skip', skip: 'no-lower-bound' });
    expect(lowestNuget('1.12.0-*')).toEqual({ kind: 'skip', skip: 'dynamic-version' });
    expect(lowestNuget('one')).toEqual({ kind: 'skip', skip: 'invalid-version' });
    expect(normalizeNugetVersion('1.2.3.0')).toBe('1.2.3');
    expect(normalizeNugetVersion('1.2.3.4')).toBe('1.2.3.4');
  });

  it('orders four-part versions and pre-release labels', () => {
    expectAscending((a, b) => compareVersions('nuget', a, b), ['1.5.0-beta.4', '1.5.0', '1.5.0.1', '1.13.0-alpha', '1.13.0-beta', '1.13.0-beta.2', '1.13.0-beta.10', '1.13.0']);
  });
});

describe('Maven versions', () => {
  it('orders versions like ComparableVersion', () => {
    expectAscending(compareMavenVersions, ['1-alpha', '1-beta', '1-milestone', '1-rc', '1-SNAPSHOT', '1', '1-sp', '1-abc', '1.0.1', '1.1', '1.9.0', '1.10.0', '1.11.4']);
    expect(compareMavenVersions('1.0', '1')).toBe(0);
    expect(compareMavenVersions('1.0.0.Final', '1.0.0')).toBe(0);
    expect(compareMavenVersions('1.9.0-beta.1', '1.9.0')).toBe(-1);
    expect(compareMavenVersions('1.0-RC1', '1.0-cr1')).toBe(0);
  });

  it('finds the lowest version of a requirement or range', () => {
    expect(lowestMaven('1.11.4')).toEqual({ kind: 'exact', version: '1.11.4' });
    expect(lowestMaven('[1.10.0,2.0)')).toEqual({ kind: 'range', version: '1.10.0' });
    expect(lowestMaven('[1.10.0]')).toEqual({ kind: 'exact', version: '1.10.0' });
    expect(lowestMaven('[1.5,1.7),[1.2,1.3)')).toEqual({ kind: 'range', version: '1.2' });
    expect(lowestMaven('(1.10.0,2.0)')).toEqual({ kind: 'skip', skip: 'exclusive-lower-bound' });
    expect(lowestMaven('(,2.0)')).toEqual({ kind: 'skip', skip: 'no-lower-bound' });
    expect(lowestMaven('LATEST')).toEqual({ kind: 'skip', skip: 'dynamic-version' });
    expect(lowestMaven('[1.0')).toEqual({ kind: 'skip', skip: 'invalid-version' });
  });

  it('reads Gradle dynamic and strict versions', () => {
    expect(lowestGradle('1.8.+')).toEqual({ kind: 'range', version: '1.8.0' });
    expect(lowestGradle('1.+')).toEqual({ kind: 'range', version: '1.0.0' });
    expect(lowestGradle('1.10.0!!')).toEqual({ kind: 'exact', version: '1.10.0' });
    expect(lowestGradle('latest.release')).toEqual({ kind: 'skip', skip: 'dynamic-version' });
    expect(lowestGradle('+')).toEqual({ kind: 'skip', skip: 'dynamic-version' });
    expect(lowestGradle(']1.0,2.0[')).toEqual({ kind: 'skip', skip: 'exclusive-lower-bound' });
  });
});
