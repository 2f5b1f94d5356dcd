/** Finding ids of the fix stage (`pod2wi fix`); `rules/findings/fix.yaml` describes them. */
export const fixFindingIds = [
  'fix-skipped',
  'fix-label-in-selector',
  'fix-chart-cannot-express',
  'fix-manual-step',
  'fix-not-applied',
  'fix-recreate-pod',
  'fix-withdrawn',
] as const;

export type FixFindingId = (typeof fixFindingIds)[number];
