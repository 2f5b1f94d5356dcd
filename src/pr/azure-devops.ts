import { RemoteError } from '../model/errors.js';
import { toolVersion } from '../version.js';
import { httpOrigin } from './git.js';
import { requestTimeoutMs, type FetchFunction, type PullRequest, type PullRequestProvider } from './provider.js';
import type { Redactor } from './redact.js';

export const apiVersion = '7.1';

/** Azure DevOps' limit on a pull request description (characters). */
export const azureDevOpsBodyLimit = 4000;

/**
 * How the token is sent. `basic`: a personal access token as `Basic base64(":" + token)`; `bearer`: the pipeline's
 * System.AccessToken (an OAuth token) as `Bearer token`.
 */
export type AzureDevOpsScheme = 'basic' | 'bearer';

/** Where and as whom pod2wi talks to Azure DevOps Services or Server. */
export interface AzureDevOpsOptions {
  /** The collection URL: https://dev.azure.com/ORG, https://ORG.visualstudio.com, https://HOST/tfs/COLLECTION. */
  readonly collectionUrl: string;
  readonly project: string;
  readonly repo: string;
  readonly token: string | null;
  readonly scheme: AzureDevOpsScheme;
  readonly fetch: FetchFunction;
  readonly redactor: Redactor;
}

/** Collection URL, project and repository from an Azure Repos remote URL (https or ssh), or null. */
export function parseAzureDevOpsRemote(url: string): { collectionUrl: string; project: string; repo: string } | null {
  const trimmed = url.trim();
  const ssh = /^(?:ssh:\/\/)?[^@]+@(?:ssh\.dev\.azure\.com|vs-ssh\.visualstudio\.com)(?::22)?[:/]v3\/([^/]+)\/([^/]+)\/([^/]+?)\/?$/i.exec(trimmed);
  if (ssh?.[1] && ssh[2] && ssh[3]) {
    return { collectionUrl: `https://dev.azure.com/${ssh[1]}`, project: decodeURIComponent(ssh[2]), repo: decodeURIComponent(ssh[3]) };
  }
  const https = /^(https?:\/\/)(?:[^@/]+@)?([^/]+(?:\/[^/]+)*?)\/([^/]+)\/_git\/([^/?#]+?)\/?$/i.exec(trimmed);
  if (https?.[1] && https[2] && https[3] && https[4]) {
    return { collectionUrl: `${https[1]}${https[2]}`, project: decodeURIComponent(https[3]), repo: decodeURIComponent(https[4]) };
  }
  return null;
}

/** A pull-request provider over the Azure DevOps Git REST API (api-version 7.1). */
export function createAzureDevOpsProvider(options: AzureDevOpsOptions): PullRequestProvider {
  const { collectionUrl, project, repo, redactor } = options;
  const repositoryPath = `/${encodeURIComponent(project)}/_apis/git/repositories/${encodeURIComponent(repo)}/pullrequests`;
  const authorization = options.token
    ? options.scheme === 'bearer' ? `Bearer ${options.token}` : `Basic ${Buffer.from(`:${options.token}`).toString('base64')}`
    : null;
  const webRepository = `${collectionUrl}/${encodeURIComponent(project)}/_git/${encodeURIComponent(repo)}`;

  const call = async (method: 'GET' | 'POST' | 'PATCH', suffix: string, query: Readonly<Record<string, string>>, body?: unknown): Promise<unknown> => {
    const search = new URLSearchParams({ ...query, 'api-version': apiVersion });
    const path = `${repositoryPath}${suffix}`;
    const shown = `${new URL(collectionUrl).pathname.replace(/\/+$/, '')}${path}?${decodeURIComponent(search.toString())}`;
    let response: Response;
    try {
      response = await options.fetch(`${collectionUrl}${path}?${search.toString()}`, {
        method,
        headers: {
          Accept: 'application/json',
          'User-Agent': `pod2wi/${toolVersion}`,
          ...(authorization ? { Authorization: authorization } : {}),
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (error) {
      const cause = error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error);
      throw new RemoteError(redactor.redact(`Azure DevOps ${method} ${new URL(collectionUrl).origin}${shown}: no answer: ${cause}`));
    }
    const text = await response.text();
    const json = /\bjson\b/i.test(response.headers.get('content-type') ?? '') ? parseJson(text) : undefined;
    if (!response.ok || json === undefined) {
      throw new RemoteError(redactor.redact(`Azure DevOps ${method} ${shown}: HTTP ${response.status}: ${describe(response.status, json, text)}`), response.status);
    }
    return json;
  };

  return {
    kind: 'azure-devops',
    display: `${collectionUrl.replace(/^https?:\/\//, '')}/${project}/${repo}`,
    bodyLimit: azureDevOpsBodyLimit,
    async find(head, base) {
      const data = await call('GET', '', {
        'searchCriteria.sourceRefName': `refs/heads/${head}`,
        'searchCriteria.targetRefName': `refs/heads/${base}`,
        'searchCriteria.status': 'active',
      });
      const values = field(data, 'value');
      const first = Array.isArray(values) ? (values as unknown[]).find((value) => field(value, 'sourceRefName') === `refs/heads/${head}`) : undefined;
      return first === undefined ? null : toPullRequest(first, webRepository);
    },
    async create(request) {
      const data = await call('POST', '', {}, {
        sourceRefName: `refs/heads/${request.head}`,
        targetRefName: `refs/heads/${request.base}`,
        title: request.title,
        description: request.body,
        isDraft: request.draft,
      });
      return toPullRequest(data, webRepository);
    },
    async update(id, changes) {
      const data = await call('PATCH', `/${id}`, {}, { title: changes.title, description: changes.body });
      return toPullRequest(data, webRepository);
    },
    fileUrl(branch, path) {
      return `${webRepository}?path=${encodeURIComponent(`/${path}`)}&version=${encodeURIComponent(`GB${branch}`)}`;
    },
    gitAuth(remoteUrl) {
      const origin = httpOrigin(remoteUrl);
      if (!origin || !authorization) return null;
      return { urlPrefix: origin, header: `Authorization: ${authorization}` };
    },
  };
}

function toPullRequest(data: unknown, webRepository: string): PullRequest {
  const id = field(data, 'pullRequestId');
  if (typeof id !== 'number') throw new RemoteError('Azure DevOps answered without a pullRequestId');
  const title = field(data, 'title');
  const description = field(data, 'description');
  return {
    id,
    url: `${webRepository}/pullrequest/${id}`,
    title: typeof title === 'string' ? title : '',
    body: typeof description === 'string' ? description : '',
    draft: field(data, 'isDraft') === true,
  };
}

function describe(status: number, json: unknown, text: string): string {
  const message = field(json, 'message');
  if (typeof message === 'string' && message !== '') return message;
  if (status === 203 || /<html/i.test(text)) return 'Azure DevOps answered with a sign-in page: the token is missing, expired, or lacks the Code (Read & Write) scope';
  if (status === 401) return 'the token is invalid or expired';
  if (status === 404) return 'no such organization, project or repository, or the token cannot see it';
  return text.trim().slice(0, 300) || 'no message';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && key in value ? (value as Record<string, unknown>)[key] : undefined;
}
