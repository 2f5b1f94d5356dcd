import { Octokit } from '@octokit/rest';
import { RemoteError } from '../model/errors.js';
import { toolVersion } from '../version.js';
import { httpOrigin, type Environment } from './git.js';
import { encodePath, requestTimeoutMs, type FetchFunction, type PullRequest, type PullRequestProvider } from './provider.js';
import type { Redactor } from './redact.js';

export const publicGitHubApi = 'https://api.github.com';

/** Where and as whom pod2wi talks to GitHub or GitHub Enterprise Server. */
export interface GitHubOptions {
  readonly owner: string;
  readonly repo: string;
  /** REST base URL: https://api.github.com, or https://HOST/api/v3 for Enterprise Server. */
  readonly apiUrl: string;
  /** Browser base URL (https://github.com), for links in the body. */
  readonly webUrl: string;
  readonly token: string | null;
  readonly fetch: FetchFunction;
  readonly redactor: Redactor;
  /** Where Octokit's own warnings go (deprecations), already redacted. */
  readonly warn: (line: string) => void;
}

/** `owner/name` from a GitHub remote URL (https, ssh or scp-like), or null. */
export function parseGitHubRemote(url: string): { owner: string; repo: string } | null {
  const match = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?[^/:]+(?::\d+)?[/:]([^/]+)\/([^/]+?)(?:\.git)?\/?$/i.exec(url.trim());
  if (!match?.[1] || !match[2]) return null;
  return { owner: match[1], repo: match[2] };
}

/**
 * The browser URL that goes with a REST URL: GITHUB_SERVER_URL when the CI sets it; github.com for api.github.com
 * (and `api.X` → `X` for GitHub Enterprise Cloud with data residency); the host of an Enterprise Server `/api/v3`.
 */
export function githubWebUrl(apiUrl: string, env: Environment): string {
  const server = env.GITHUB_SERVER_URL?.trim();
  if (server) return server.replace(/\/+$/, '');
  const url = new URL(apiUrl);
  if (/^\/?$/.test(url.pathname) && url.hostname.startsWith('api.')) return `${url.protocol}//${url.host.slice(4)}`;
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/api\/v3\/?$/, '').replace(/\/+$/, '')}`;
}

/** A pull-request provider over GitHub's REST API, through @octokit/rest. */
export function createGitHubProvider(options: GitHubOptions): PullRequestProvider {
  const { owner, repo, redactor } = options;
  const octokit = new Octokit({
    ...(options.token ? { auth: options.token } : {}),
    baseUrl: options.apiUrl,
    userAgent: `pod2wi/${toolVersion}`,
    request: {
      fetch: (url: string | URL | Request, init?: RequestInit) => options.fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(requestTimeoutMs) }),
    },
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string) => options.warn(redactor.redact(message)),
      // Failures are thrown and reported once, by pod2wi.
      error: () => undefined,
    },
  });
  const toPullRequest = (data: { number: number; html_url: string; title: string; body: string | null; draft?: boolean }): PullRequest => ({
    id: data.number,
    url: data.html_url,
    title: data.title,
    body: data.body ?? '',
    draft: data.draft === true,
  });
  const call = async <T>(method: string, path: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw gitHubError(method, path, error, options, redactor);
    }
  };
  return {
    kind: 'github',
    display: `${owner}/${repo}`,
    bodyLimit: 65_536,
    async find(head, base) {
      const response = await call('GET', `/repos/${owner}/${repo}/pulls`, () =>
        octokit.rest.pulls.list({ owner, repo, head: `${owner}:${head}`, base, state: 'open', per_page: 100 }),
      );
      const found = response.data.find((pull) => pull.head.ref === head && pull.base.ref === base) ?? null;
      return found ? toPullRequest(found) : null;
    },
    async create(request) {
      const response = await call('POST', `/repos/${owner}/${repo}/pulls`, () =>
        octokit.rest.pulls.create({ owner, repo, head: request.head, base: request.base, title: request.title, body: request.body, draft: request.draft }),
      );
      return toPullRequest(response.data);
    },
    async update(id, changes) {
      const response = await call('PATCH', `/repos/${owner}/${repo}/pulls/${id}`, () =>
        octokit.rest.pulls.update({ owner, repo, pull_number: id, title: changes.title, body: changes.body }),
      );
      return toPullRequest(response.data);
    },
    fileUrl(branch, path) {
      return `${options.webUrl}/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/blob/${encodePath(branch)}/${encodePath(path)}`;
    },
    gitAuth(remoteUrl) {
      const origin = httpOrigin(remoteUrl);
      if (!origin || !options.token) return null;
      // What actions/checkout does: Basic with the x-access-token user works for GITHUB_TOKEN, app tokens and PATs.
      return { urlPrefix: origin, header: `Authorization: Basic ${Buffer.from(`x-access-token:${options.token}`).toString('base64')}` };
    },
  };
}

function gitHubError(method: string, path: string, error: unknown, options: GitHubOptions, redactor: Redactor): RemoteError {
  const status = numberField(error, 'status');
  const data = field(field(error, 'response'), 'data');
  const parts: string[] = [];
  const message = field(data, 'message');
  if (typeof message === 'string') parts.push(message);
  const details = field(data, 'errors');
  if (Array.isArray(details)) {
    for (const detail of details as unknown[]) {
      const text = field(detail, 'message') ?? field(detail, 'code');
      if (typeof text === 'string') parts.push(text);
    }
  }
  if (parts.length === 0) parts.push(error instanceof Error ? error.message : String(error));
  const hint =
    status === 401 ? ' (the token is invalid or expired)'
    : status === 403 ? ' (the token lacks contents: write and pull-requests: write on this repository, or a rate limit was hit)'
    : status === 404 ? ` (no repository ${options.owner}/${options.repo} at ${options.apiUrl}, or the token cannot see it)`
    : '';
  const answer = status ? `HTTP ${status}` : 'no answer';
  return new RemoteError(redactor.redact(`GitHub ${method} ${path}: ${answer}: ${parts.join('; ')}${hint}`), status);
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && key in value ? (value as Record<string, unknown>)[key] : undefined;
}

function numberField(value: unknown, key: string): number | null {
  const found = field(value, key);
  return typeof found === 'number' && found > 0 ? found : null;
}
