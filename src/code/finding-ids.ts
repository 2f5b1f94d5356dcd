/** Finding ids of the source-code stage; `rules/findings/code.yaml` describes them. */
export const codeFindingIds = ['source-parse-error', 'grammar-unavailable', 'source-skipped'] as const;
