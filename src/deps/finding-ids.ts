/** Finding ids of the dependency stage; `rules/findings/dependencies.yaml` describes them. */
export const dependencyFindingIds = [
  'dependency-file-parse-error',
  'dependency-file-skipped',
  'dependency-file-missing',
  'dependency-version-unresolved',
  'lockfile-mismatch',
  'lockfile-ambiguous',
  'bom-version-unknown',
  'legacy-identity-library',
  'msal-library',
] as const;

/** One finding id of the dependency stage. */
export type DependencyFindingId = (typeof dependencyFindingIds)[number];
