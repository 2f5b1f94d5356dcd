/** Finding ids of the plan stage; `rules/findings/plan.yaml` describes them. */
export const planFindingIds = ['workload-unlinked', 'federated-credential-limit', 'client-id-unknown', 'name-not-valid'] as const;
