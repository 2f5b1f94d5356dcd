import type { GitHttpAuth } from './git.js';

/** An open pull request as pod2wi needs it. */
export interface PullRequest {
  /** GitHub's number or Azure DevOps' pullRequestId. */
  readonly id: number;
  readonly url: string;
  readonly title: string;
  readonly body: string;
  readonly draft: boolean;
}

/** What a new pull request carries. */
export interface NewPullRequest {
  readonly head: string;
  readonly base: string;
  readonly title: string;
  readonly body: string;
  readonly draft: boolean;
}

/**
 * One place pull requests live (GitHub, GitHub Enterprise Server, Azure DevOps Services or Server). Each method is
 * one REST call; failures throw RemoteError with the method, the path, the status and the provider's message, and no
 * secret.
 */
export interface PullRequestProvider {
  readonly kind: 'github' | 'azure-devops';
  /** `contoso/orders-api` or `contoso/shop/orders-api`, for messages. */
  readonly display: string;
  /** The longest body the provider accepts (characters). */
  readonly bodyLimit: number;
  /** The open pull request from `head` into `base`, if there is one. */
  find(head: string, base: string): Promise<PullRequest | null>;
  create(request: NewPullRequest): Promise<PullRequest>;
  /** Changes the title and body; the draft state is left as reviewers set it. */
  update(id: number, changes: { readonly title: string; readonly body: string }): Promise<PullRequest>;
  /** A browser URL of `path` (repository-relative) on `branch`. */
  fileUrl(branch: string, path: string): string;
  /** How git authenticates to `remoteUrl` with the same token; null when it is not an http(s) URL. */
  gitAuth(remoteUrl: string): GitHttpAuth | null;
}

/** The fetch function providers call (tests inject their own, or point the base URL at a local server). */
export type FetchFunction = typeof fetch;

/** Each provider call gives up after this long, so a hung connection does not hang CI. */
export const requestTimeoutMs = 60_000;

/** Trims trailing slashes from a base URL; rejects what is not an http(s) URL. */
export function baseUrl(value: string): string | null {
  const trimmed = value.trim().replace(/\/+$/, '');
  try {
    const url = new URL(trimmed);
    return url.protocol === 'https:' || url.protocol === 'http:' ? trimmed : null;
  } catch {
    return null;
  }
}

/** Equal as far as a pull request body goes: line endings and trailing white space do not count. */
export function sameText(a: string, b: string): boolean {
  const normal = (text: string) => text.replace(/\r\n/g, '\n').trimEnd();
  return normal(a) === normal(b);
}

/** A browser path with each segment encoded and the slashes kept. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
