import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { startFakeServer, type FakeServer } from './helpers/fake-server.js';
import { captureIo, fakeApplier, legacyApp, shopFiles, workloadManifest } from './helpers/fixture.js';
import { createTestRepo, readAllFiles, type TestRepo } from './helpers/git-repo.js';

/** Every form a token can take on the wire or on disk. */
function forms(token: string): string[] {
  return [token, encodeURIComponent(token), Buffer.from(`:${token}`).toString('base64'), Buffer.from(`x-access-token:${token}`).toString('base64')];
}

/** Asserts that no form of `token` is anywhere pod2wi could have put it, except the Authorization headers. */
function expectNoLeak(token: string, repo: TestRepo, server: FakeServer, output: string): void {
  const leaks = (text: string) => forms(token).filter((form) => text.includes(form));
  expect(leaks(output), 'stdout/stderr').toEqual([]);
  for (const request of server.requests) {
    const headers = Object.entries(request.headers).filter(([name]) => name !== 'authorization');
    expect(leaks(`${request.method} ${request.url}\n${JSON.stringify(headers)}\n${request.text}`), `${request.method} ${request.url}`).toEqual([]);
  }
  for (const config of [join(repo.work, '.git', 'config'), join(repo.bare, 'config')]) expect(leaks(readFileSync(config, 'utf8')), config).toEqual([]);
  // Every file of the work tree, its .git, the remote and HOME, byte for byte…
  for (const file of [...readAllFiles(repo.work), ...readAllFiles(repo.bare), ...readAllFiles(repo.home)]) {
    expect(leaks(file.content.toString('latin1')), file.path).toEqual([]);
  }
  // …and every object, decompressed: commit messages, MIGRATION.md, the manifests.
  for (const git of [repo.work, repo.bare]) {
    const objects = execFileSync('git', ['cat-file', '--batch-all-objects', '--batch'], { cwd: git, env: repo.env, maxBuffer: 64 * 1024 * 1024 }).toString('latin1');
    expect(objects.length).toBeGreaterThan(1000);
    expect(leaks(objects), `objects of ${git}`).toEqual([]);
  }
  expect(existsSync(join(repo.work, '.git', 'worktrees'))).toBe(false);
}

describe('tokens', () => {
  it('a GitHub token reaches git and the API as headers only, and appears nowhere else', async () => {
    const token = 'ghp_LEAKCHECKtoken0123456789ABCDEFGHIJ';
    const header = `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
    const repo = createTestRepo(shopFiles());
    const server = await startFakeServer({ bare: repo.bare, env: repo.env });
    repo.git(['remote', 'set-url', 'origin', `${server.serveGit(dirname(repo.bare), header, repo.env)}/origin.git`]);
    let output = '';
    const run = async (args: readonly string[], env: Record<string, string> = { GITHUB_TOKEN: token }) => {
      const io = captureIo(repo.work, { ...repo.env, ...env });
      const status = await runCli(['pr', '--provider', 'github', '--repo', 'contoso/shop', '--api-url', server.url, ...args], io, {
        pr: { createApplier: () => fakeApplier(), fetch: (input, init) => fetch(input, init) },
      });
      output += io.out() + io.err();
      return status;
    };

    expect(await run(['--phase', 'parallel'])).toBe(0);
    repo.commitAndPush({ ...legacyApp('payments'), 'deploy/shop/payments.yaml': workloadManifest('payments', 'shop', '33333333-3333-4333-8333-333333333333') }, 'payments');
    expect(await run(['--phase', 'parallel'])).toBe(0);
    expect(await run(['--phase', 'parallel', '--dry-run'], { GH_TOKEN: token })).toBe(0);
    server.failNext('GET', /\/pulls$/, 401, { message: `Bad credentials: ${token}` });
    expect(await run(['--phase', 'parallel'])).toBe(3);
    expect(await run(['--phase', 'cutover', '--group-by', 'namespace', '--author', 'Bot <bot@example.com>'])).toBe(0);
    expect(await run(['--phase', 'parallel', '--group-by', 'namespace'])).toBe(2);

    expect(server.calls()).toContain('PATCH /repos/contoso/shop/pulls/1');
    expect(output).toContain('Bad credentials: *** (the token is invalid or expired)');
    expect(output).toContain('git cannot keep pod2wi/parallel and pod2wi/parallel/<group> side by side');
    expect(server.pulls.map((pull) => pull.head)).toEqual(['pod2wi/parallel', 'pod2wi/cutover/shop', 'pod2wi/cutover/web']);
    // The token was used: by git for the push, by Octokit for the API.
    const pushes = server.requests.filter((request) => request.kind === 'git' && request.url.includes('receive-pack'));
    expect(pushes.length).toBeGreaterThan(0);
    for (const push of pushes) expect(push.headers.authorization).toBe(header);
    for (const request of server.api()) expect(request.headers.authorization).toBe(`token ${token}`);
    expectNoLeak(token, repo, server, output);
  });

  it('an Azure DevOps PAT reaches git as Basic auth for the remote, and appears nowhere else', async () => {
    const token = 'adoLEAKCHECKpat0123456789abcdefghijklmnopqrstuv';
    const header = `Basic ${Buffer.from(`:${token}`).toString('base64')}`;
    const repo = createTestRepo(shopFiles());
    const server = await startFakeServer();
    repo.git(['remote', 'set-url', 'origin', `${server.serveGit(dirname(repo.bare), header, repo.env)}/origin.git`]);
    const io = captureIo(repo.work, { ...repo.env, AZURE_DEVOPS_TOKEN: token });
    const status = await runCli(['pr', '--phase', 'parallel', '--provider', 'azure-devops', '--api-url', `${server.url}/ado`, '--project', 'shop', '--repo', 'orders'], io, {
      pr: { createApplier: () => fakeApplier(), fetch: (input, init) => fetch(input, init) },
    });
    expect(io.err()).toBe('');
    expect(status).toBe(0);
    expect(repo.remoteBranch('pod2wi/parallel')).not.toBeNull();
    for (const request of server.requests) expect(request.headers.authorization).toBe(header);
    expectNoLeak(token, repo, server, io.out() + io.err());
  });
});
