import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { startFakeServer, type FakeServer } from './helpers/fake-server.js';
import { captureIo, fakeApplier, legacyApp, shopFiles, workloadManifest } from './helpers/fixture.js';
import { createTestRepo, type TestRepo } from './helpers/git-repo.js';

const pat = 'adoPATfake0123456789abcdefghijklmnopqrstuvwxyz';
const jobToken = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fakePipelineToken.sig';

async function setup(files: Record<string, string>): Promise<{ repo: TestRepo; server: FakeServer; run: (args: readonly string[], env?: Record<string, string>) => Promise<{ status: number; out: string; err: string }> }> {
  const repo = createTestRepo(files);
  const server = await startFakeServer();
  return {
    repo,
    server,
    async run(args, env = { AZURE_DEVOPS_TOKEN: pat }) {
      const io = captureIo(repo.work, { ...repo.env, ...env });
      const status = await runCli(['pr', ...args], io, { pr: { createApplier: () => fakeApplier(), fetch: (input, init) => fetch(input, init) } });
      return { status, out: io.out(), err: io.err() };
    },
  };
}

const ado = (server: FakeServer) => ['--provider', 'azure-devops', '--api-url', `${server.url}/tfs/DefaultCollection/`, '--project', 'shop', '--repo', 'orders'];
const path = '/tfs/DefaultCollection/shop/_apis/git/repositories/orders/pullrequests';

/** Ten legacy workloads in one namespace: the full body is far over Azure DevOps' 4,000 characters. */
function manyWorkloads(): Record<string, string> {
  const files: Record<string, string> = { 'README.md': '# shop\n' };
  for (let i = 1; i <= 10; i++) {
    const name = `service-${String(i).padStart(2, '0')}`;
    Object.assign(files, legacyApp(name), { [`deploy/shop/${name}.yaml`]: workloadManifest(name, 'shop', `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`) });
  }
  return files;
}

describe('pod2wi pr on Azure DevOps', () => {
  it('creates the pull request with the exact REST calls, a PAT as Basic auth, and a body under 4,000 characters linking MIGRATION.md', async () => {
    const { repo, server, run } = await setup(manyWorkloads());
    const result = await run(['--phase', 'parallel', ...ado(server), '--draft']);
    expect(result.err).toBe('');
    expect(result.status).toBe(0);
    expect(server.calls()).toEqual([`GET ${path}`, `POST ${path}`]);
    const [find, create] = server.api();
    expect(Object.fromEntries(new URL(find?.url ?? '', server.url).searchParams)).toEqual({
      'searchCriteria.sourceRefName': 'refs/heads/pod2wi/parallel',
      'searchCriteria.targetRefName': 'refs/heads/main',
      'searchCriteria.status': 'active',
      'api-version': '7.1',
    });
    expect(new URL(create?.url ?? '', server.url).search).toBe('?api-version=7.1');
    for (const request of server.api()) expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`:${pat}`).toString('base64')}`);
    const payload = create?.body as Record<string, unknown>;
    expect(Object.keys(payload).sort()).toEqual(['description', 'isDraft', 'sourceRefName', 'targetRefName', 'title']);
    expect(payload).toMatchObject({
      sourceRefName: 'refs/heads/pod2wi/parallel',
      targetRefName: 'refs/heads/main',
      title: 'Migrate 10 workloads to workload identity (phase 1 of 3: side by side)',
      isDraft: true,
    });
    const description = String(payload.description);
    expect(description.length).toBeLessThanOrEqual(4000);
    expect(description.length).toBeGreaterThan(1000);
    const link = `[MIGRATION.md](${server.url}/tfs/DefaultCollection/shop/_git/orders?path=%2FMIGRATION.md&version=GBpod2wi%2Fparallel)`;
    // Shorter lists, but every section is still there, and the rest is one click away.
    expect(description).toContain('| Deployment shop/service-01 | legacy (proxy) |');
    expect(description).toMatch(new RegExp(`… \\d+ more workloads in ${link.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    for (const heading of ['## What changes and why', '## Before merging: create the federated credentials', '## After merging: verify', '## Roll back', '## Next: phase 2 of 3 (cut over)']) {
      expect(description).toContain(heading);
    }
    expect(description.trimEnd().endsWith('updates this pull request when the base branch or the plan changes.')).toBe(true);
    expect(description).toContain(link);
    // Whatever the body leaves out is in MIGRATION.md, committed on the branch.
    const migration = repo.remoteFile('pod2wi/parallel', 'MIGRATION.md');
    for (let i = 1; i <= 10; i++) expect(migration).toContain(`az identity federated-credential create --name shop-service-${String(i).padStart(2, '0')}`);
    expect(result.out).toContain(`created      pod2wi/parallel  #101 ${server.url}/tfs/DefaultCollection/shop/_git/orders/pullrequest/101`);
  });

  it('updates the description with PATCH when the plan changes, and sends the pipeline token as Bearer', async () => {
    const { repo, server, run } = await setup(shopFiles());
    expect((await run(['--phase', 'parallel', ...ado(server)])).status).toBe(0);
    const before = server.requests.length;
    expect((await run(['--phase', 'parallel', ...ado(server)], { SYSTEM_ACCESSTOKEN: jobToken })).status).toBe(0);
    expect(server.calls().slice(2)).toEqual([`GET ${path}`]);

    repo.commitAndPush({ ...legacyApp('payments'), 'deploy/shop/payments.yaml': workloadManifest('payments', 'shop', '33333333-3333-4333-8333-333333333333') }, 'payments');
    const result = await run(['--phase', 'parallel', ...ado(server)], { SYSTEM_ACCESSTOKEN: jobToken });
    expect(result.status).toBe(0);
    const calls = server.api().slice(3);
    expect(calls.map((request) => `${request.method} ${request.url}`)).toEqual([
      `GET ${path}?searchCriteria.sourceRefName=refs%2Fheads%2Fpod2wi%2Fparallel&searchCriteria.targetRefName=refs%2Fheads%2Fmain&searchCriteria.status=active&api-version=7.1`,
      `PATCH ${path}/101?api-version=7.1`,
    ]);
    for (const request of server.requests.slice(before)) expect(request.headers.authorization).toBe(`Bearer ${jobToken}`);
    const patch = calls[1]?.body as { title: string; description: string };
    expect(Object.keys(patch).sort()).toEqual(['description', 'title']);
    expect(patch.title).toBe('Migrate 3 workloads to workload identity (phase 1 of 3: side by side)');
    expect(patch.description).toContain('| Deployment shop/payments | legacy (proxy) |');
    expect(server.pulls[0]?.body).toBe(patch.description);
    expect(result.out).toContain('updated      pod2wi/parallel  #101');
  });

  it('explains a sign-in page instead of JSON, and keeps the token out of the message', async () => {
    const { server, run } = await setup(shopFiles());
    server.failNext('GET', /pullrequests$/, 203, `<html><body>Sign in to continue (${pat})</body></html>`);
    const result = await run(['--phase', 'parallel', ...ado(server)]);
    expect(result.status).toBe(3);
    expect(result.err).toContain('Azure DevOps GET /tfs/DefaultCollection/shop/_apis/git/repositories/orders/pullrequests?');
    expect(result.err).toContain('HTTP 203: Azure DevOps answered with a sign-in page: the token is missing, expired, or lacks the Code (Read & Write) scope');
    expect(result.err).not.toContain(pat);
  });

  it('needs to know the project and repository', async () => {
    const { server, run } = await setup(shopFiles());
    const result = await run(['--phase', 'parallel', '--provider', 'azure-devops', '--api-url', server.url]);
    expect(result.status).toBe(2);
    expect(result.err).toContain('cannot tell the Azure DevOps repository from the remote URL: pass --project, --repo');
    expect(server.requests).toEqual([]);
  });
});
