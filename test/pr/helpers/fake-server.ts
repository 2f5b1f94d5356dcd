import { execFileSync, spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

/** One request the server received; `body` is the parsed JSON body of API calls (git traffic is not kept). */
export interface RecordedRequest {
  readonly kind: 'github' | 'azure-devops' | 'git';
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** The raw body of API calls, as text. */
  readonly text: string;
}

/** A pull request in the server's memory. */
export interface FakePullRequest {
  id: number;
  head: string;
  base: string;
  title: string;
  body: string;
  draft: boolean;
  open: boolean;
}

interface Fault {
  readonly method: string;
  readonly path: RegExp;
  readonly status: number;
  readonly body: unknown;
}

/**
 * A local stand-in for the GitHub and Azure DevOps REST endpoints pod2wi uses, with pull requests in memory, and a
 * git smart-HTTP endpoint (`/git/<name>.git`, served by `git http-backend`) that requires a given Authorization
 * header. It records every request, so tests assert on the exact calls and payloads.
 */
export interface FakeServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly pulls: FakePullRequest[];
  /** API calls only (no git traffic). */
  api(): RecordedRequest[];
  /** `METHOD path` of each API call, query left out. */
  calls(): string[];
  /** The next matching call answers `status` with `body` instead (a string is sent as HTML). */
  failNext(method: string, path: RegExp, status: number, body: unknown): void;
  /**
   * Serve the bare repositories under `root` at /git/, like a public repository: anyone may fetch, pushing needs
   * this Authorization header, and a wrong header is refused either way.
   */
  serveGit(root: string, authorization: string, env: Readonly<Record<string, string>>): string;
  close(): Promise<void>;
}

const servers: FakeServer[] = [];

afterEach(async () => {
  while (servers.length > 0) await servers.pop()?.close();
});

/** Starts the fake on 127.0.0.1 with an ephemeral port; `bare` is the repository whose branches GitHub checks. */
export async function startFakeServer(options: { bare?: string; env?: Readonly<Record<string, string>> } = {}): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const pulls: FakePullRequest[] = [];
  const faults: Fault[] = [];
  let git: { root: string; authorization: string; env: Readonly<Record<string, string>> } | null = null;
  let base = '';

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      handle(request, response, raw).catch((error: unknown) => {
        response.writeHead(599, { 'content-type': 'text/plain' });
        response.end(String(error));
      });
    });
  });

  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify(body));
  };

  async function handle(request: IncomingMessage, response: ServerResponse, raw: Buffer): Promise<void> {
    const url = new URL(request.url ?? '/', base);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.headers)) headers[key] = Array.isArray(value) ? value.join(', ') : (value ?? '');
    const method = request.method ?? 'GET';
    if (url.pathname.startsWith('/git/')) {
      requests.push({ kind: 'git', method, url: `${url.pathname}${url.search}`, headers, body: null, text: '' });
      await serveGitRequest(request, response, raw, url);
      return;
    }
    const text = raw.toString('utf8');
    let body: unknown = null;
    try {
      body = text ? (JSON.parse(text) as unknown) : null;
    } catch {
      body = text;
    }
    const kind = url.pathname.includes('/_apis/') ? 'azure-devops' : 'github';
    requests.push({ kind, method, url: `${url.pathname}${url.search}`, headers, body, text });
    const fault = faults.findIndex((candidate) => candidate.method === method && candidate.path.test(url.pathname));
    if (fault >= 0) {
      const [found] = faults.splice(fault, 1);
      if (typeof found?.body === 'string') {
        response.writeHead(found.status, { 'content-type': 'text/html; charset=utf-8' });
        response.end(found.body);
      } else json(response, found?.status ?? 500, found?.body ?? {});
      return;
    }
    if (kind === 'github') github(method, url, body, response);
    else azureDevOps(method, url, body, response);
  }

  function github(method: string, url: URL, body: unknown, response: ServerResponse): void {
    const list = /^\/repos\/([^/]+)\/([^/]+)\/pulls$/.exec(url.pathname);
    const one = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/.exec(url.pathname);
    const toJson = (pull: FakePullRequest, owner: string, repo: string) => ({
      number: pull.id,
      html_url: `${base}/${owner}/${repo}/pull/${pull.id}`,
      title: pull.title,
      body: pull.body,
      draft: pull.draft,
      state: pull.open ? 'open' : 'closed',
      head: { ref: pull.head, label: `${owner}:${pull.head}` },
      base: { ref: pull.base },
    });
    if (list && method === 'GET') {
      const owner = list[1] ?? '';
      const found = pulls.filter(
        (pull) => pull.open && `${owner}:${pull.head}` === url.searchParams.get('head') && (!url.searchParams.get('base') || pull.base === url.searchParams.get('base')),
      );
      json(response, 200, found.map((pull) => toJson(pull, owner, list[2] ?? '')));
      return;
    }
    if (list && method === 'POST') {
      const input = body as { head: string; base: string; title: string; body: string; draft?: boolean };
      if (options.bare && !branchExists(options.bare, input.head, options.env ?? {})) {
        json(response, 422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }] });
        return;
      }
      const pull = { id: pulls.length + 1, head: input.head, base: input.base, title: input.title, body: input.body, draft: input.draft === true, open: true };
      pulls.push(pull);
      json(response, 201, toJson(pull, list[1] ?? '', list[2] ?? ''));
      return;
    }
    if (one && method === 'PATCH') {
      const pull = pulls.find((candidate) => candidate.id === Number(one[3]));
      if (!pull) return json(response, 404, { message: 'Not Found' });
      const input = body as { title?: string; body?: string };
      if (input.title !== undefined) pull.title = input.title;
      if (input.body !== undefined) pull.body = input.body;
      json(response, 200, toJson(pull, one[1] ?? '', one[2] ?? ''));
      return;
    }
    json(response, 404, { message: 'Not Found' });
  }

  function azureDevOps(method: string, url: URL, body: unknown, response: ServerResponse): void {
    const match = /^(.*)\/([^/]+)\/_apis\/git\/repositories\/([^/]+)\/pullrequests(?:\/(\d+))?$/.exec(url.pathname);
    if (!match || url.searchParams.get('api-version') !== '7.1') return json(response, 404, { message: 'TF400813: not found or wrong api-version' });
    const web = `${base}${match[1] ?? ''}/${match[2] ?? ''}/_git/${match[3] ?? ''}`;
    const toJson = (pull: FakePullRequest) => ({
      pullRequestId: pull.id,
      title: pull.title,
      description: pull.body,
      isDraft: pull.draft,
      status: pull.open ? 'active' : 'completed',
      sourceRefName: `refs/heads/${pull.head}`,
      targetRefName: `refs/heads/${pull.base}`,
      url: `${web}/pullrequest/${pull.id}`,
    });
    if (!match[4] && method === 'GET') {
      const found = pulls.filter(
        (pull) =>
          pull.open &&
          `refs/heads/${pull.head}` === url.searchParams.get('searchCriteria.sourceRefName') &&
          `refs/heads/${pull.base}` === url.searchParams.get('searchCriteria.targetRefName') &&
          url.searchParams.get('searchCriteria.status') === 'active',
      );
      json(response, 200, { value: found.map(toJson), count: found.length });
      return;
    }
    if (!match[4] && method === 'POST') {
      const input = body as { sourceRefName: string; targetRefName: string; title: string; description: string; isDraft?: boolean };
      if (input.description.length > 4000) return json(response, 400, { message: 'The description must be 4000 characters or fewer.' });
      const pull = {
        id: 100 + pulls.length + 1,
        head: input.sourceRefName.replace(/^refs\/heads\//, ''),
        base: input.targetRefName.replace(/^refs\/heads\//, ''),
        title: input.title,
        body: input.description,
        draft: input.isDraft === true,
        open: true,
      };
      pulls.push(pull);
      json(response, 201, toJson(pull));
      return;
    }
    if (match[4] && method === 'PATCH') {
      const pull = pulls.find((candidate) => candidate.id === Number(match[4]));
      if (!pull) return json(response, 404, { message: 'TF401180: The requested pull request was not found.' });
      const input = body as { title?: string; description?: string };
      if (input.description !== undefined && input.description.length > 4000) return json(response, 400, { message: 'The description must be 4000 characters or fewer.' });
      if (input.title !== undefined) pull.title = input.title;
      if (input.description !== undefined) pull.body = input.description;
      json(response, 200, toJson(pull));
      return;
    }
    json(response, 404, { message: 'not found' });
  }

  async function serveGitRequest(request: IncomingMessage, response: ServerResponse, raw: Buffer, url: URL): Promise<void> {
    if (!git) return json(response, 404, {});
    const push = url.pathname.endsWith('/git-receive-pack') || url.searchParams.get('service') === 'git-receive-pack';
    const given = request.headers.authorization;
    if (given !== undefined ? given !== git.authorization : push) {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="git"', 'content-type': 'text/plain' });
      response.end('authentication required');
      return;
    }
    const child = spawn('git', ['http-backend'], {
      env: {
        ...git.env,
        GIT_PROJECT_ROOT: git.root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: url.pathname.slice('/git'.length),
        QUERY_STRING: url.search.replace(/^\?/, ''),
        REQUEST_METHOD: request.method ?? 'GET',
        CONTENT_TYPE: request.headers['content-type'] ?? '',
        CONTENT_LENGTH: String(raw.length),
        HTTP_CONTENT_ENCODING: request.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: String(request.headers['git-protocol'] ?? ''),
        REMOTE_USER: 'pod2wi-test',
        REMOTE_ADDR: '127.0.0.1',
      },
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    // http-backend may exit without reading its input (an info/refs GET): that pipe error is not a failure.
    child.stdin.on('error', () => undefined);
    child.on('error', () => undefined);
    child.stdin.end(raw);
    await new Promise<void>((resolve) => child.on('close', () => resolve()));
    const all = Buffer.concat(out);
    const split = all.indexOf('\r\n\r\n');
    const head = all.subarray(0, split).toString('utf8');
    const headers: Record<string, string> = {};
    let status = 200;
    for (const line of head.split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else if (name) headers[name] = value;
    }
    response.writeHead(status, headers);
    response.end(all.subarray(split + 4));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fake: FakeServer = {
    url: base,
    requests,
    pulls,
    api: () => requests.filter((request) => request.kind !== 'git'),
    calls: () => requests.filter((request) => request.kind !== 'git').map((request) => `${request.method} ${request.url.replace(/\?.*$/, '')}`),
    failNext: (method, path, status, body) => faults.push({ method, path, status, body }),
    serveGit(root, authorization, env) {
      git = { root, authorization, env };
      return `${base}/git`;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  servers.push(fake);
  return fake;
}

function branchExists(bare: string, branch: string, env: Readonly<Record<string, string>>): boolean {
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { cwd: bare, env: { ...env }, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
