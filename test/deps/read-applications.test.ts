import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readApplications } from '../../src/deps/index.js';
import { FindingSink } from '../../src/model/findings-sink.js';
import { loadFindingCatalogue } from '../../src/rules/catalogue.js';
import { Repo } from '../../src/walk/repo.js';
import { walk } from '../../src/walk/walk.js';
import { openRepo, repoOf, tempDir, writeTree } from '../helpers/repo.js';

const identityManifest = JSON.stringify({ name: 'svc', dependencies: { '@azure/identity': '^3.2.0' } });
const identityLock = JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/@azure/identity': { version: '3.4.2' } } }, null, 2);

describe('readApplications', () => {
  it('makes one application per folder with a manifest, named from the manifest or the folder, sorted by path', () => {
    const { repo, sink } = repoOf({
      'services/zeta/requirements.txt': 'azure-identity==1.15.0\n',
      'services/alpha/package.json': identityManifest,
      'services/alpha/go.mod': 'module example.com/alpha\n\nrequire github.com/Azure/azure-sdk-for-go/sdk/azidentity v1.5.1\n',
      'docs/readme.md': '# not an application',
    });
    const applications = readApplications(repo, sink, { allDependencies: false });
    expect(applications.map((app) => [app.path, app.name, app.ecosystems.join('+')])).toEqual([
      ['services/alpha', 'svc', 'go+npm'],
      ['services/zeta', 'zeta', 'pypi'],
    ]);
    expect(applications.every((app) => app.credentialUses.length === 0)).toBe(true);
  });

  it('never takes installed packages for applications, even when node_modules is walked', () => {
    const root = writeTree({ 'app/package.json': identityManifest, 'app/node_modules/left-pad/package.json': '{"name":"left-pad","version":"1.3.0"}' });
    const walked = walk({ root, only: [], exclude: [], defaultExcludes: false });
    expect(walked.files.map((file) => file.path)).toContain('app/node_modules/left-pad/package.json');
    const applications = readApplications(new Repo(root, walked.files, walked.skipped, 1 << 20), new FindingSink(loadFindingCatalogue()), { allDependencies: false });
    expect(applications.map((app) => app.path)).toEqual(['app']);
  });

  it('falls back to the declared range, with a note, when the lockfile is over the size cap', () => {
    const root = writeTree({ 'web/package.json': identityManifest, 'web/package-lock.json': identityLock });
    const { repo, sink } = openRepo(root, 100);
    const [app] = readApplications(repo, sink, { allDependencies: false });
    expect(app?.dependencies.map((dependency) => [dependency.version, dependency.resolution, dependency.file])).toEqual([['3.2.0', 'range', 'web/package.json']]);
    expect(sink.all.map((finding) => [finding.ruleId, finding.file])).toEqual([['dependency-file-skipped', 'web/package-lock.json']]);
  });

  it('does not follow a node_modules symlink that leaves the scan root', () => {
    const outside = tempDir();
    mkdirSync(join(outside, '@azure', 'identity'), { recursive: true });
    writeFileSync(join(outside, '@azure', 'identity', 'package.json'), '{"name":"@azure/identity","version":"9.9.9"}');
    const root = writeTree({ 'app/package.json': identityManifest });
    symlinkSync(outside, join(root, 'app', 'node_modules'), 'dir');
    const { repo, sink } = openRepo(root);
    const [app] = readApplications(repo, sink, { allDependencies: false });
    expect(app?.dependencies.map((dependency) => dependency.version)).toEqual(['3.2.0']);
  });

  it('gives the same output twice (deterministic order)', () => {
    const files = {
      'b/package.json': JSON.stringify({ name: 'b', dependencies: { 'ms-rest-azure': '^3.0.0', '@azure/identity': '^3.2.0', adal: '1.0.0' } }),
      'a/requirements.txt': 'msrestazure==0.6.4\nazure-identity==1.15.0\nadal==1.2.7\n',
    };
    const first = repoOf(files);
    const second = repoOf(files);
    const one = JSON.stringify(readApplications(first.repo, first.sink, { allDependencies: true }));
    expect(JSON.stringify(readApplications(second.repo, second.sink, { allDependencies: true }))).toBe(one);
    expect(JSON.parse(one).map((app: { dependencies: { name: string }[] }) => app.dependencies.map((dependency) => dependency.name))).toEqual([
      ['adal', 'azure-identity', 'msrestazure'],
      ['@azure/identity', 'adal', 'ms-rest-azure'],
    ]);
  });
});

describe('large lockfile prefilter', () => {
  const filler = Array.from({ length: 9000 }, (_, k) => `left-pad-${k}@^1.0.0:\n  version "1.0.${k}"\n`).join('\n');
  const files = {
    'site/package.json': JSON.stringify({ name: 'site', dependencies: { express: '^4.18.2' } }),
    // Over the prefilter size, no identity library named, and broken at the end.
    'site/yarn.lock': `# yarn lockfile v1\n\n${filler}\nexpress@^4.18.2:\n  version "4.19.2"\n broken: [\n`,
  };

  it('skips parsing a large lockfile that names no identity library when only identity libraries are listed', () => {
    const { repo, sink } = repoOf(files);
    const [app] = readApplications(repo, sink, { allDependencies: false });
    expect(app?.dependencies).toEqual([]);
    expect(sink.all).toEqual([]);
  });

  it('parses it (and reports its syntax error) when every dependency is wanted', () => {
    const { repo, sink } = repoOf(files);
    const [app] = readApplications(repo, sink, { allDependencies: true });
    expect(app?.dependencies.map((dependency) => [dependency.name, dependency.version, dependency.resolution])).toEqual([['express', '4.18.2', 'range']]);
    expect(sink.all.map((finding) => [finding.ruleId, finding.file])).toEqual([['dependency-file-parse-error', 'site/yarn.lock']]);
  });
});
