import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { startFakeServer, type FakeServer } from './helpers/fake-server.js';
import { captureIo, fakeApplier, legacyApp, shopFiles, workloadManifest, type FakeApplier } from './helpers/fixture.js';
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
    expect(Object.keys(payload).sort()).toEqual(['base', 'body', 'draft', 'head', 'title']);
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

  it('does nothing on a re-run without changes: no push, no write call', async () => {
    const { repo, server, run } = await setup();
    expect((await run(['--phase', 'parallel', ...github(server)])).status).toBe(0);
    const pushed = repo.remoteBranch('pod2wi/parallel');
    const before = server.requests.length;
    const again = await run(['--phase', 'parallel', ...github(server)]);
    expect(again.status).toBe(0);
    expect(server.requests.slice(before).filter((request) => request.kind !== 'git').map((request) => request.method)).toEqual(['GET']);
    // Only fetches reached the git endpoint: upload-pack, never receive-pack.
    expect(server.requests.slice(before).filter((request) => request.kind === 'git' && request.url.includes('receive-pack'))).toEqual([]);
    expect(repo.remoteBranch('pod2wi/parallel')).toBe(pushed);
    expect(again.out).toContain('up to date   pod2wi/parallel  #1');
    expect(again.out).toContain('1 up to date');
  });

  it('regenerates the commit from the new base: force-pushes when the tree changes, edits the body only when it changes', async () => {
    const { repo, server, run } = await setup();
    expect((await run(['--phase', 'parallel', ...github(server)])).status).toBe(0);
    const first = repo.remoteBranch('pod2wi/parallel');

    // An unrelated change on main: new tree, same body.
    const readme = repo.commitAndPush({ 'README.md': '# contoso shop\n\nNow with a README.\n' }, 'docs');
    let before = server.requests.length;
    const second = await run(['--phase', 'parallel', ...github(server)]);
    expect(second.status).toBe(0);
    expect(server.calls().slice(server.calls().length - 1)).toEqual(['GET /repos/contoso/shop/pulls']);
    expect(server.requests.slice(before).filter((request) => request.kind !== 'git')).toHaveLength(1);
    const rebuilt = repo.remoteBranch('pod2wi/parallel');
    expect(rebuilt).not.toBe(first);
    expect(repo.remote(['rev-parse', 'pod2wi/parallel^'])).toBe(readme);
    expect(repo.remote(['rev-list', '--count', 'main..pod2wi/parallel'])).toBe('1');
    expect(second.out).toContain('pushed       pod2wi/parallel  #1');

    // A new workload in the repository: new tree and new body, so a PATCH with both.
    repo.commitAndPush({ ...files('payments') }, 'payments service');
    before = server.requests.length;
    const third = await run(['--phase', 'parallel', ...github(server)]);
    expect(third.status).toBe(0);
    const calls = server.requests.slice(before).filter((request) => request.kind !== 'git');
    expect(calls.map((request) => `${request.method} ${request.url.replace(/\?.*$/, '')}`)).toEqual(['GET /repos/contoso/shop/pulls', 'PATCH /repos/contoso/shop/pulls/1']);
    const patch = calls[1]?.body as { title: string; body: string };
    expect(Object.keys(patch).sort()).toEqual(['body', 'title']);
    expect(patch.title).toBe('Migrate 3 workloads to workload identity (phase 1 of 3: side by side)');
    expect(patch.body).toContain('### shop · Deployment payments — legacy');
    expect(server.pulls).toHaveLength(1);
    expect(server.pulls[0]?.body).toBe(patch.body);
    expect(third.out).toContain('updated      pod2wi/parallel  #1');
  });

  it('opens nothing and pushes nothing when the fix changes nothing', async () => {
    const { repo, server } = await setup();
    const head = repo.git(['rev-parse', 'HEAD']);
    const noop = { calls: 0, async apply() { this.calls++; return { changedFiles: [], deletedFiles: [], skipped: [] }; } };
    const io = captureIo(repo.work, { ...repo.env, GITHUB_TOKEN: token });
    const status = await runCli(['pr', '--phase', 'parallel', ...github(server)], io, { pr: { createApplier: () => noop, fetch } });
    expect(status).toBe(0);
    expect(noop.calls).toBe(1);
    expect(server.api()).toEqual([]);
    expect(repo.remote(['for-each-ref', '--format=%(refname)'])).toBe('refs/heads/main');
    expect(io.out()).toContain('no change    pod2wi/parallel  nothing to change: no branch, no pull request');
    expectUntouched(repo, head);
  });

  it('says so, and calls nobody, when no workload is ready for the phase', async () => {
    const { repo, server, applier, run } = await setup({ 'README.md': '# x\n', 'deploy/web/mystery.yaml': workloadManifest('mystery', 'web', '22222222-2222-4222-8222-222222222222') });
    const result = await run(['--phase', 'parallel', ...github(server)]);
    expect(result.status).toBe(0);
    expect(result.out).toContain('nothing to change: no workload is ready for parallel — no branch, no pull request');
    expect(applier.calls).toEqual([]);
    expect(server.api()).toEqual([]);
    expect(repo.remoteBranch('pod2wi/parallel')).toBeNull();
  });

  it('groups by namespace, opens at most --max-prs new pull requests per run, and keeps updating the open ones', async () => {
    const { repo, server, applier, run } = await setup();
    const first = await run(['--phase', 'parallel', ...github(server), '--group-by', 'namespace', '--max-prs', '1']);
    expect(first.status).toBe(0);
    expect(server.calls()).toEqual(['GET /repos/contoso/shop/pulls', 'POST /repos/contoso/shop/pulls', 'GET /repos/contoso/shop/pulls']);
    expect(applier.calls.map((call) => call.workloads)).toEqual([['Deployment/shop/orders-api'], ['Deployment/web/catalog']]);
    expect(server.pulls.map((pull) => [pull.head, pull.title])).toEqual([['pod2wi/parallel/shop', 'Migrate orders-api to workload identity (phase 1 of 3: side by side)']]);
    expect(repo.remoteBranch('pod2wi/parallel/web')).toBeNull();
    expect(repo.remote(['diff', '--name-only', 'main', 'pod2wi/parallel/shop']).split('\n')).toEqual(['MIGRATION-shop.md', 'deploy/shop/orders-api.yaml']);
    expect(first.out).toContain('not opened   pod2wi/parallel/web  --max-prs 1 reached');
    expect(first.out).toContain('1 created · 1 not opened (--max-prs)');

    const second = await run(['--phase', 'parallel', ...github(server), '--group-by', 'namespace', '--max-prs', '1']);
    expect(second.status).toBe(0);
    expect(server.calls().slice(3)).toEqual(['GET /repos/contoso/shop/pulls', 'GET /repos/contoso/shop/pulls', 'POST /repos/contoso/shop/pulls']);
    expect(server.pulls.map((pull) => pull.head)).toEqual(['pod2wi/parallel/shop', 'pod2wi/parallel/web']);
    const web = server.pulls[1];
    expect(web?.title).toBe('Migrate catalog to workload identity (phase 1 of 3: side by side)');
    expect(web?.body).toContain('- Deployment/web/mystery: path unknown');
    expect(web?.body).toContain('/blob/pod2wi/parallel/web/MIGRATION-web.md)');
    expect(repo.remoteFile('pod2wi/parallel/web', 'MIGRATION-web.md')).toContain('web · Deployment catalog');
  });

  it('--dry-run prints branch, commit and body, pushes nothing and calls no write endpoint', async () => {
    const { repo, server, applier, run } = await setup();
    const head = repo.git(['rev-parse', 'HEAD']);
    const anonymous = await run(['--phase', 'parallel', ...github(server), '--dry-run'], {});
    expect(anonymous.status).toBe(0);
    expect(server.api()).toEqual([]);
    expect(anonymous.out).toContain('=== pod2wi/parallel (dry run) ===');
    expect(anonymous.out).toContain('existing pull requests not looked up');
    expect(anonymous.out).toContain('  Migrate 2 workloads to workload identity (phase 1 of 3: side by side)');
    expect(anonymous.out).toContain('  M deploy/shop/orders-api.yaml');
    expect(anonymous.out).toContain('## Before merging: create the federated credentials');
    expect(anonymous.out).toContain('nothing pushed');
    expect(applier.calls).toHaveLength(1);

    const withToken = await run(['--phase', 'parallel', ...github(server), '--dry-run']);
    expect(withToken.status).toBe(0);
    expect(server.api().map((request) => request.method)).toEqual(['GET']);
    expect(withToken.out).toContain('would open a pull request');
    expect(server.requests.filter((request) => request.url.includes('receive-pack'))).toEqual([]);
    expect(repo.remote(['for-each-ref', '--format=%(refname)'])).toBe('refs/heads/main');
    expectUntouched(repo, head);
  });

  it('--dry-run previews with no network: the remote and the API do not answer, it says so and exits 0', async () => {
    const { repo, server, run } = await setup();
    const head = repo.git(['rev-parse', 'HEAD']);
    await run(['--phase', 'parallel', ...github(server), '--dry-run']);
    // Nothing listens on port 9 (discard): every connection is refused, as on a machine without network.
    repo.git(['remote', 'set-url', 'origin', 'http://127.0.0.1:9/origin.git']);
    const offline = await run(['--phase', 'parallel', '--provider', 'github', '--repo', 'contoso/shop', '--api-url', 'http://127.0.0.1:9', '--dry-run']);
    expect(offline.status).toBe(0);
    expect(offline.err).toContain('note: could not reach origin');
    expect(offline.out).toContain('=== pod2wi/parallel (dry run) ===');
    expect(offline.out).toContain('could not check for an existing pull request');
    expect(offline.out).toContain('  M deploy/shop/orders-api.yaml');
    expect(offline.out).not.toContain(token);
    expect(offline.err).not.toContain(token);
    expectUntouched(repo, head);
  });

  it('leaves the repository as it found it when the provider fails, redacts the error, and recovers on the next run', async () => {
    const { repo, server, run } = await setup();
    const head = repo.git(['rev-parse', 'HEAD']);
    server.failNext('POST', /\/pulls$/, 500, { message: `Internal failure while handling token ${token}` });
    const failed = await run(['--phase', 'parallel', ...github(server)]);
    expect(failed.status).toBe(3);
    expect(failed.err).toContain('pod2wi: GitHub POST /repos/contoso/shop/pulls: HTTP 500: Internal failure while handling token ***');
    expect(failed.err).not.toContain(token);
    expect(failed.out).not.toContain(token);
    expectUntouched(repo, head);
    const pushed = repo.remoteBranch('pod2wi/parallel');
    expect(pushed).not.toBeNull();

    const retried = await run(['--phase', 'parallel', ...github(server)]);
    expect(retried.status).toBe(0);
    expect(repo.remoteBranch('pod2wi/parallel')).toBe(pushed);
    expect(server.pulls).toHaveLength(1);
    expect(retried.out).toContain('created      pod2wi/parallel  #1');
  });

  it('refuses a dirty work tree before doing anything (exit 2)', async () => {
    const { repo, server, applier, run } = await setup();
    writeFileSync(join(repo.work, 'deploy', 'web', 'catalog.yaml'), 'edited\n');
    writeFileSync(join(repo.work, 'notes.txt'), 'untracked\n');
    const result = await run(['--phase', 'parallel', ...github(server)]);
    expect(result.status).toBe(2);
    expect(result.err).toContain('the work tree has uncommitted changes');
    expect(result.err).toContain('deploy/web/catalog.yaml');
    expect(result.err).toContain('notes.txt');
    expect(server.requests).toEqual([]);
    expect(applier.calls).toEqual([]);
    expect(repo.git(['status', '--porcelain'])).toContain('catalog.yaml');
  });

  it('exits 2 without a token, on a bad --repo and on an unknown base branch', async () => {
    const { server, run } = await setup();
    const noToken = await run(['--phase', 'parallel', ...github(server)], {});
    expect(noToken.status).toBe(2);
    expect(noToken.err).toContain('no token: set GITHUB_TOKEN or GH_TOKEN');
    const badRepo = await run(['--phase', 'parallel', '--provider', 'github', '--repo', 'just-a-name', '--api-url', server.url]);
    expect(badRepo.status).toBe(2);
    expect(badRepo.err).toContain('--repo just-a-name: expected owner/name');
    const badBase = await run(['--phase', 'parallel', ...github(server), '--base', 'trunk']);
    expect(badBase.status).toBe(2);
    expect(badBase.err).toContain('base branch "trunk" not found on remote origin');
    const badPhase = await run(['--phase', 'later', ...github(server)]);
    expect(badPhase.status).toBe(2);
    expect(server.api()).toEqual([]);
  });

  it('does not overwrite a branch someone else pushed to', async () => {
    const { repo, server, run } = await setup();
    expect((await run(['--phase', 'parallel', ...github(server)])).status).toBe(0);
    // A reviewer adds a commit to the pull request's branch.
    const clone = join(repo.dir, 'reviewer');
    repo.git(['clone', '--quiet', '--branch', 'pod2wi/parallel', repo.bare, clone], repo.dir);
    writeFileSync(join(clone, 'deploy', 'web', 'catalog.yaml'), `${readFileSync(join(clone, 'deploy', 'web', 'catalog.yaml'), 'utf8')}# reviewed\n`);
    repo.git(['commit', '--quiet', '--all', '-m', 'review fix'], clone, { name: 'Rita', email: 'rita@example.com' });
    repo.git(['push', '--quiet', 'origin', 'pod2wi/parallel'], clone);
    const reviewed = repo.remoteBranch('pod2wi/parallel');

    const result = await run(['--phase', 'parallel', ...github(server)]);
    expect(result.status).toBe(0);
    expect(result.out).toContain('kept         pod2wi/parallel  has commits by rita@example.com');
    expect(repo.remoteBranch('pod2wi/parallel')).toBe(reviewed);
    expect(server.api().filter((request) => request.method !== 'GET')).toHaveLength(1);
  });

  it('never overwrites a MIGRATION.md it did not write, and scans a sub-folder with in-repository --app checkouts', async () => {
    const { repo, server, applier, run } = await setup({ ...shopFiles(), 'deploy/MIGRATION.md': '# Database migrations\n\nRun flyway first.\n' });
    const apps = ['--app', 'apps/orders-api', '--app', 'apps/catalog'];
    const refused = await run(['deploy', ...apps, '--phase', 'parallel', ...github(server)]);
    expect(refused.status).toBe(2);
    expect(refused.err).toContain('deploy/MIGRATION.md exists and was not written by pod2wi; pass --migration-file');
    expect(applier.calls).toEqual([]);
    expect(repo.remoteBranch('pod2wi/parallel')).toBeNull();

    const result = await run(['deploy', ...apps, '--phase', 'parallel', ...github(server), '--migration-file', 'docs/pod2wi-plan.md']);
    expect(result.err).toBe('');
    expect(result.status).toBe(0);
    // The fix ran on the scanned folder of the temporary checkout.
    expect(applier.calls[0]?.root.endsWith('/deploy')).toBe(true);
    expect(repo.remote(['diff', '--name-only', 'main', 'pod2wi/parallel']).split('\n')).toEqual(['deploy/docs/pod2wi-plan.md', 'deploy/shop/orders-api.yaml', 'deploy/web/catalog.yaml']);
    expect(repo.remoteFile('pod2wi/parallel', 'deploy/MIGRATION.md')).toContain('Run flyway first.');
    const body = server.pulls[0]?.body ?? '';
    // Evidence reads from the repository top, wherever the scan started.
    expect(body).toContain('(`deploy/shop/orders-api.yaml:7`)');
    expect(body).toContain('(`apps/orders-api/package.json:1`)');
    expect(body).toContain('/blob/pod2wi/parallel/deploy/docs/pod2wi-plan.md)');
    expect(body).toContain('`pod2wi pr deploy --app apps/orders-api --app apps/catalog --phase cutover --provider github`');
    expect(repo.remoteFile('pod2wi/parallel', 'deploy/docs/pod2wi-plan.md')).toContain('Generated by pod2wi 0.1.0 from `deploy`');
  });

  it('opens the parallel-phase pull request for the bundled example with the real fix', async () => {
    const repo = createTestRepo(exampleFiles());
    const server = await startFakeServer({ bare: repo.bare, env: repo.env });
    const gitUrl = server.serveGit(dirname(repo.bare), basic, repo.env);
    repo.git(['remote', 'set-url', 'origin', `${gitUrl}/origin.git`]);
    const head = repo.git(['rev-parse', 'HEAD']);
    const io = captureIo(repo.work, { ...repo.env, GITHUB_TOKEN: token });
    const status = await runCli(['pr', '--phase', 'parallel', ...github(server)], io);
    expect(io.err()).toBe('');
    expect(status).toBe(0);
    expect(server.calls()).toEqual(['GET /repos/contoso/shop/pulls', 'POST /repos/contoso/shop/pulls']);
    expectUntouched(repo, head);

    // Read the pushed branch in the bare remote itself: a synchronous fetch over the fake's HTTP would block it.
    const changed = repo.remote(['diff', '--name-only', 'main', 'pod2wi/parallel']).split('\n').sort();
    expect(changed).toContain('MIGRATION.md');
    expect(changed).toContain('deploy/shop/payments.yaml');
    const payments = repo.remoteFile('pod2wi/parallel', 'deploy/shop/payments.yaml');
    expect(payments).toContain('azure.workload.identity/client-id: 2b7e4c1a-9f3d-4e6b-8a2c-5d1f0e9b7c63');
    expect(payments).toContain('azure.workload.identity/use: "true"');
    expect(payments).toContain('aadpodidbinding: payments-identity   # bound in identity.yaml');
    const body = String((server.api()[1]?.body as Record<string, unknown>).body);
    expect(body).toContain('### shop · Deployment payments — latest');
    expect(body).toContain('## Next: phase 2 of 3 (cut over)');

    // Running it again with nothing new is a no-op: no push, no write call.
    const again = captureIo(repo.work, { ...repo.env, GITHUB_TOKEN: token });
    expect(await runCli(['pr', '--phase', 'parallel', ...github(server)], again)).toBe(0);
    expect(server.calls().slice(2)).toEqual(['GET /repos/contoso/shop/pulls']);
  });
});

/** The bundled example repository, file by file. */
function exampleFiles(): Record<string, string> {
  const root = fileURLToPath(new URL('../../examples/contoso/', import.meta.url));
  const found: Record<string, string> = {};
  const visit = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) visit(join(dir, entry.name), `${prefix}${entry.name}/`);
      else found[`${prefix}${entry.name}`] = readFileSync(join(dir, entry.name), 'utf8');
    }
  };
  visit(root, '');
  return found;
}

function files(name: string): Record<string, string> {
  return { ...legacyApp(name), [`deploy/shop/${name}.yaml`]: workloadManifest(name, 'shop', '33333333-3333-4333-8333-333333333333') };
}
