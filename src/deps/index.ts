import type { Application } from '../model/application.js';
import type { FindingSink } from '../model/findings-sink.js';
import type { Repo } from '../walk/repo.js';

export interface DependencyOptions {
  /** List every dependency, not only identity-relevant ones (--all-dependencies). */
  readonly allDependencies: boolean;
}

/**
 * Finds the applications of a repository (folders holding a dependency manifest) and the Azure identity
 * libraries each runs. `credentialUses` is left empty: the code stage fills it.
 */
export function readApplications(_repo: Repo, _sink: FindingSink, _options: DependencyOptions): Application[] {
  return [];
}
