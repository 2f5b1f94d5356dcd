import { stripTrailing } from '../model/text.js';

/** Options the CI formats share. */
export interface CiPathOptions {
  /**
   * Prefix for root-relative paths so that they are relative to the working directory (the repository root in CI):
   * `deploy` when `pod2wi check deploy` ran; empty when the root is the working directory.
   */
  readonly pathPrefix?: string;
}

/** A root-relative path as CI sees it. */
export function ciPath(file: string, options: CiPathOptions): string {
  const prefix = stripTrailing(options.pathPrefix ?? '', '/');
  return prefix === '' || prefix === '.' ? file : `${prefix}/${file}`;
}
