/** Finding ids of the dependency stage; `rules/findings/dependencies.yaml` describes them. */
export const dependencyFindingIds = [] as const;
