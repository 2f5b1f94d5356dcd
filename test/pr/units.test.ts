import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAuthor } from '../../src/cli/pr.js';
import { parseAzureDevOpsRemote } from '../../src/pr/azure-devops.js';
import { renderBody, type PullRequestContext } from '../../src/pr/body.js';
import { Git, httpOrigin } from '../../src/pr/git.js';
import { githubWebUrl, parseGitHubRemote } from '../../src/pr/github.js';
import { branchName, groupWorkloads, slugify } from '../../src/pr/groups.js';
import { migrationFileFor } from '../../src/pr/index.js';
import { Redactor } from '../../src/pr/redact.js';
import { analyze, defaultMaxFileSize } from '../../src/run.js';
import { tempDir, writeTree } from '../helpers/repo.js';
import { latestApp, legacyApp, shopFiles, workloadManifest } from './helpers/fixture.js';

describe('redaction', () => {
  it('removes the token, its Basic-auth forms and URL credentials', () => {
    const token = 'ghp_secretSECRET123';
    const redactor = new Redactor([token, undefined, 'abc']);
    const text = [
      `token ${token}`,
      `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`,
      `Basic ${Buffer.from(`:${token}`).toString('base64')}`,
      `https://user:other-secret@github.com/o/r.git`,
      encodeURIComponent(`${token}/`),
      'abc stays: too short to be a token',
    ].join('\n');
    const clean = redactor.redact(text);
    expect(redactor.leaks(clean)).toBe(false);
    expect(clean).not.toContain('other-secret');
    expect(clean).toContain('https://***@github.com/o/r.git');
    expect(clean).toContain('abc stays');
  });
});

describe('remotes and URLs', () => {
  it('reads owner/name from GitHub remotes', () => {
    expect(parseGitHubRemote('https://github.com/contoso/orders-api.git')).toEqual({ owner: 'contoso', repo: 'orders-api' });
    expect(parseGitHubRemote('https://x-access-token:t@github.com/contoso/orders-api')).toEqual({ owner: 'contoso', repo: 'orders-api' });
    expect(parseGitHubRemote('git@github.com:contoso/orders-api.git')).toEqual({ owner: 'contoso', repo: 'orders-api' });
    expect(parseGitHubRemote('ssh://git@ghe.contoso.com:2222/platform/gitops.git')).toEqual({ owner: 'platform', repo: 'gitops' });
    expect(parseGitHubRemote('/srv/git/orders.git')).toBeNull();
    expect(parseGitHubRemote('https://dev.azure.com/contoso/shop/_git/orders')).toBeNull();
  });

  it('derives the browser URL from the API URL', () => {
    expect(githubWebUrl('https://api.github.com', {})).toBe('https://github.com');
    expect(githubWebUrl('https://ghe.contoso.com/api/v3', {})).toBe('https://ghe.contoso.com');
    expect(githubWebUrl('https://api.contoso.ghe.com', {})).toBe('https://contoso.ghe.com');
    expect(githubWebUrl('https://ghe.contoso.com/api/v3', { GITHUB_SERVER_URL: 'https://ghe.contoso.com/' })).toBe('https://ghe.contoso.com');
  });

  it('reads collection, project and repository from Azure Repos remotes', () => {
    expect(parseAzureDevOpsRemote('https://contoso@dev.azure.com/contoso/Shop%20Team/_git/orders-api')).toEqual({ collectionUrl: 'https://dev.azure.com/contoso', project: 'Shop Team', repo: 'orders-api' });
    expect(parseAzureDevOpsRemote('https://contoso.visualstudio.com/shop/_git/orders')).toEqual({ collectionUrl: 'https://contoso.visualstudio.com', project: 'shop', repo: 'orders' });
    expect(parseAzureDevOpsRemote('https://tfs.contoso.local/tfs/DefaultCollection/shop/_git/orders')).toEqual({ collectionUrl: 'https://tfs.contoso.local/tfs/DefaultCollection', project: 'shop', repo: 'orders' });
    expect(parseAzureDevOpsRemote('git@ssh.dev.azure.com:v3/contoso/shop/orders')).toEqual({ collectionUrl: 'https://dev.azure.com/contoso', project: 'shop', repo: 'orders' });
    expect(parseAzureDevOpsRemote('https://github.com/contoso/orders')).toBeNull();
  });

  it('scopes git auth to the remote origin, and only for http(s)', () => {
    expect(httpOrigin('https://user@github.com/contoso/x.git')).toBe('https://github.com/');
    expect(httpOrigin('http://127.0.0.1:8080/git/x.git')).toBe('http://127.0.0.1:8080/');
    expect(httpOrigin('git@github.com:contoso/x.git')).toBeNull();
    expect(httpOrigin('/srv/git/x.git')).toBeNull();
  });
});

describe('git', () => {
  it('hands the Authorization header to git through its environment, never its arguments', async () => {
    const bin = tempDir();
    const log = join(bin, 'log');
    writeFileSync(join(bin, 'git'), `#!/bin/sh\nprintf 'ARG %s\\n' "$@" >> '${log}'\nenv | sort >> '${log}'\n`);
    chmodSync(join(bin, 'git'), 0o755);
    const token = 'ghp_ENVonlyTOKEN000111';
    const header = `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
    const git = new Git(bin, { env: { PATH: `${bin}:${process.env.PATH ?? ''}`, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'user.name', GIT_CONFIG_VALUE_0: 'kept', GIT_DIR: '/elsewhere' }, redactor: new Redactor([token]), auth: [{ urlPrefix: 'https://github.com/', header }] });
    await git.push('origin', 'abc123', 'pod2wi/parallel', null);
    const lines = readFileSync(log, 'utf8').split('\n');
    const args = lines.filter((line) => line.startsWith('ARG '));
    expect(args.join('\n')).not.toContain(token);
    expect(args).toContain('ARG --force-with-lease=refs/heads/pod2wi/parallel:');
    expect(args).toContain('ARG abc123:refs/heads/pod2wi/parallel');
    expect(lines).toContain('GIT_CONFIG_KEY_0=user.name');
    expect(lines).toContain('GIT_CONFIG_KEY_1=core.hooksPath');
    expect(lines).toContain('GIT_CONFIG_KEY_4=http.extraHeader');
    expect(lines).toContain('GIT_CONFIG_VALUE_4=');
    expect(lines).toContain('GIT_CONFIG_KEY_5=http.https://github.com/.extraHeader');
    expect(lines).toContain(`GIT_CONFIG_VALUE_5=${header}`);
    expect(lines).toContain('GIT_CONFIG_COUNT=6');
    expect(lines).toContain('GIT_TERMINAL_PROMPT=0');
    expect(lines.some((line) => line.startsWith('GIT_DIR='))).toBe(false);
  });

  it('sends no header to commands that do not talk to the remote', async () => {
    const bin = tempDir();
    const log = join(bin, 'log');
    writeFileSync(join(bin, 'git'), `#!/bin/sh\nenv | sort >> '${log}'\n`);
    chmodSync(join(bin, 'git'), 0o755);
    const git = new Git(bin, { env: { PATH: `${bin}:${process.env.PATH ?? ''}` }, redactor: new Redactor([]), auth: [{ urlPrefix: 'https://github.com/', header: 'Authorization: Basic eA==' }] });
    await git.resolve('HEAD');
    const env = readFileSync(log, 'utf8');
    expect(env).toContain('GIT_CONFIG_COUNT=3');
    expect(env).not.toContain('Authorization');
  });
});

describe('grouping', () => {
  it('makes branch names git accepts', () => {
    expect(slugify('apps/Orders API')).toBe('apps-orders-api');
    expect(slugify('..weird..name.lock')).toBe('weird.name-lock');
    expect(slugify('///')).toBe('group');
    expect(branchName('cutover', null)).toBe('pod2wi/cutover');
    expect(branchName('cutover', 'shop')).toBe('pod2wi/cutover/shop');
    expect(migrationFileFor('MIGRATION.md', { key: 'shop', label: null, slug: 'shop', branch: 'pod2wi/parallel/shop', workloads: [], leftAlone: [] })).toBe('MIGRATION-shop.md');
    expect(migrationFileFor('docs/MIGRATION.md', { key: null, label: null, slug: null, branch: 'pod2wi/parallel', workloads: [], leftAlone: [] })).toBe('docs/MIGRATION.md');
  });

  it('groups by application and by workload, leaving blocked and unknown workloads out of the fix', async () => {
    const { report, plan } = await analyze({ paths: ['.'], cwd: writeTree(shopFiles()), exclude: [], defaultExcludes: true, maxFileSize: defaultMaxFileSize, namespace: null, forceNamespaced: false, allDependencies: false });
    const byApplication = groupWorkloads(report, plan, 'parallel', 'application');
    // mystery has no application and nothing to do: its group would be empty, so there is none.
    expect(byApplication.map((group) => [group.branch, group.workloads, group.leftAlone, group.label])).toEqual([
      ['pod2wi/parallel/apps-catalog', ['Deployment/web/catalog'], [], 'of application apps/catalog'],
      ['pod2wi/parallel/apps-orders-api', ['Deployment/shop/orders-api'], [], 'of application apps/orders-api'],
    ]);
    const byWorkload = groupWorkloads(report, plan, 'parallel', 'workload');
    expect(byWorkload.map((group) => group.branch)).toEqual(['pod2wi/parallel/shop-orders-api', 'pod2wi/parallel/web-catalog']);
    // Cut-over applies to whatever still carries aadpodidbinding and has a known path; finalize to the proxy users.
    expect(groupWorkloads(report, plan, 'cutover', 'repo')[0]?.workloads).toEqual(['Deployment/shop/orders-api', 'Deployment/web/catalog']);
    expect(groupWorkloads(report, plan, 'finalize', 'repo')[0]?.workloads).toEqual(['Deployment/shop/orders-api']);
  });
});

describe('body', () => {
  it('always fits the limit, keeps its code blocks closed, and ends with the link to the full plan', async () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 30; i++) {
      const name = `svc-${i}`;
      Object.assign(files, i % 2 ? legacyApp(name) : latestApp(name), { [`deploy/ns${i % 3}/${name}.yaml`]: workloadManifest(name, `ns${i % 3}`, `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`) });
    }
    const { report, plan } = await analyze({ paths: ['.'], cwd: writeTree(files), exclude: [], defaultExcludes: true, maxFileSize: defaultMaxFileSize, namespace: null, forceNamespaced: false, allDependencies: false });
    const [group] = groupWorkloads(report, plan, 'parallel', 'repo');
    expect(group?.workloads).toHaveLength(30);
    if (!group) return;
    const context: PullRequestContext = {
      report,
      plan,
      phase: 'parallel',
      group,
      fix: { changedFiles: [], deletedFiles: [], skipped: [{ workload: 'Deployment/ns1/svc-1', reason: 'the label is inside a template the fix cannot edit' }] },
      files: [['A', 'MIGRATION.md'], ...group.workloads.map((id): [string, string] => ['M', `deploy/${id.split('/')[1] ?? ''}/${id.split('/')[2] ?? ''}.yaml`])],
      rootPrefix: '',
      migrationPath: 'MIGRATION.md',
      migrationUrl: 'https://dev.azure.com/contoso/shop/_git/orders?path=%2FMIGRATION.md&version=GBpod2wi%2Fparallel',
      commandFor: (phase) => `pod2wi pr --phase ${phase} --provider azure-devops`,
      version: '0.1.0',
    };
    let previous = Infinity;
    for (const limit of [65_536, 4_000, 2_000, 1_200, 800]) {
      const body = renderBody(context, limit);
      expect(body.length, `limit ${limit}`).toBeLessThanOrEqual(limit);
      expect(body.length).toBeLessThanOrEqual(previous);
      previous = body.length;
      expect((body.match(/^```/gm) ?? []).length % 2, `fences at ${limit}`).toBe(0);
      expect(body, `link at ${limit}`).toContain(`(${context.migrationUrl})`);
      expect(body.trimEnd().endsWith('changes.'), `footer at ${limit}`).toBe(true);
    }
    const full = renderBody(context, 65_536);
    expect(full).toContain('### ns0 · Deployment svc-3 — legacy');
    expect(full).toContain('- Deployment/ns1/svc-1: the label is inside a template the fix cannot edit');
    expect(full).not.toContain('### ns1 · Deployment svc-1 ');
  });

  it('reads the commit author', () => {
    expect(parseAuthor('Platform Bot <platform-bot@contoso.com>')).toEqual({ name: 'Platform Bot', email: 'platform-bot@contoso.com' });
    expect(() => parseAuthor('just a name')).toThrow(/expected "Name <email>"/);
  });
});
