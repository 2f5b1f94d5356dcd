import { existsSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { startFakeServer, type FakeServer } from './helpers/fake-server.js';
import { captureIo, fakeApplier, shopFiles, type FakeApplier } from './helpers/fixture.js';
import { createTestRepo, type TestRepo } from './helpers/git-repo.js';

const token = 'ghp_FAKEtokenFORpod2wiTESTS0123456789abcd';
const basic = `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;

interface Setup {
  readonly repo: TestRepo;
  readonly server: FakeServer;
  readonly applier: FakeApplier;
  /** Runs `pod2wi pr` in the work tree with the fake applier and the token in the environment. */
  run(args: readonly string[], env?: Readonly<Record<string, string>>): Promise<{ status: number; out: string; err: string }>;
}

/** The shop repository, its origin served over HTTP by the fake (which wants the token), and the GitHub API. */
async function setup(files: Record<string, string> = shopFiles()): Promise<Setup> {
  const repo = createTestRepo(files);
  const server = await startFakeServer({ bare: repo.bare, env: repo.env });
  const gitUrl = server.serveGit(dirname(repo.bare), basic, repo.env);
  repo.git(['remote', 'set-url', 'origin', `${gitUrl}/origin.git`]);
  const applier = fakeApplier();
  return {
    repo,
    server,
    applier,
    async run(args, env = { GITHUB_TOKEN: token }) {
      const io = captureIo(repo.work, { ...repo.env, ...env });
      const status = await runCli(['pr', ...args], io, { pr: { createApplier: () => applier, fetch: (input, init) => fetch(input, init) } });
      return { status, out: io.out(), err: io.err() };
    },
  };
}

const github = (server: FakeServer) => ['--provider', 'github', '--repo', 'contoso/shop', '--api-url', server.url];

/** The user's repository is as it was: on main, clean, one work tree, no scratch folder beside it. */
function expectUntouched(repo: TestRepo, head: string): void {
  expect(repo.git(['symbolic-ref', '--short', 'HEAD'])).toBe('main');
  expect(repo.git(['rev-parse', 'HEAD'])).toBe(head);
  expect(repo.git(['status', '--porcelain', '--untracked-files=all'])).toBe('');
  expect(repo.git(['worktree', 'list', '--porcelain']).split('\n').filter((line) => line.startsWith('worktree ')).length).toBe(1);
  expect(repo.git(['branch', '--list', '--format=%(refname:short)'])).toBe('main');
  expect(readdirSync(repo.dir).filter((entry) => entry.includes('pod2wi-'))).toEqual([]);
}

describe('pod2wi pr on GitHub', () => {
  it('creates the branch from origin/main, pushes it over HTTP with the token, and opens the pull request', async () => {
    const { repo, server, applier, run } = await setup();
    const head = repo.git(['rev-parse', 'HEAD']);
    const result = await run(['--phase', 'parallel', ...github(server)]);
    expect(result.err).toBe('');
    expect(result.status).toBe(0);

    // Exactly: look for an open pull request, then create one.
    expect(server.calls()).toEqual(['GET /repos/contoso/shop/pulls', 'POST /repos/contoso/shop/pulls']);
    const [find, create] = server.api();
    expect(Object.fromEntries(new URL(find?.url ?? '', server.url).searchParams)).toEqual({ head: 'contoso:pod2wi/parallel', base: 'main', state: 'open', per_page: '100' });
    expect(find?.headers.authorization).toBe(`token ${token}`);
    const payload = create?.body as Record<string, unknown>;
    expect(payload).toMatchObject({
      head: 'pod2wi/parallel',
      base: 'main',
      draft: false,
      title: 'Migrate 2 workloads to workload identity (phase 1 of 3: side by side)',
    });
    const body = String(payload.body);
    expect(body).toContain('## What changes and why');
    expect(body).toContain('### shop · Deployment orders-api — legacy');
    expect(body).toContain('`deploy/shop/orders-api.yaml:');
    expect(body).toContain('az identity federated-credential create --name shop-orders-api');
    expect(body).toContain('kubectl logs --namespace shop deploy/orders-api --container azwi-proxy | grep "successfully acquired token"');
    expect(body).toContain('## Roll back');
    expect(body).toContain('## Next: phase 2 of 3 (cut over)');
    expect(body).toContain('- Deployment/web/mystery: path unknown');
    expect(body).toContain(`[MIGRATION.md](${server.url}/contoso/shop/blob/pod2wi/parallel/MIGRATION.md)`);

    // The fix ran on the phase's workloads only; the branch holds its edit and the plan, on top of main.
    expect(applier.calls.map((call) => call.workloads)).toEqual([['Deployment/shop/orders-api', 'Deployment/web/catalog']]);
    const branch = repo.remoteBranch('pod2wi/parallel');
    expect(branch).not.toBeNull();
    expect(repo.remote(['rev-parse', 'pod2wi/parallel^'])).toBe(head);
    expect(repo.remote(['diff', '--name-only', 'main', 'pod2wi/parallel']).split('\n')).toEqual(['MIGRATION.md', 'deploy/shop/orders-api.yaml', 'deploy/web/catalog.yaml']);
    expect(repo.remoteFile('pod2wi/parallel', 'deploy/shop/orders-api.yaml')).toContain('azure.workload.identity/use: "true"');
    expect(repo.remoteFile('pod2wi/parallel', 'MIGRATION.md')).toContain('# Workload identity migration, phase 1 of 3: side by side');
    expect(repo.remote(['log', '-1', '--format=%an <%ae>|%cn <%ce>|%s', 'pod2wi/parallel'])).toBe(
      'pod2wi <pod2wi@users.noreply.github.com>|pod2wi <pod2wi@users.noreply.github.com>|Migrate 2 workloads to workload identity (phase 1 of 3: side by side)',
    );
    // main on the remote did not move, and git sent the token as a header.
    expect(repo.remoteBranch('main')).toBe(head);
    expect(server.requests.filter((request) => request.kind === 'git').every((request) => request.headers.authorization === basic)).toBe(true);
    expect(result.out).toContain('created      pod2wi/parallel  #1');
    expect(server.pulls).toHaveLength(1);
    expectUntouched(repo, head);
  });
});
