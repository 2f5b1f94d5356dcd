/**
 * The schema of the finding catalogue, `rules/findings/*.yaml` (zod). Only the build (which validates the rule files
 * into `dist/rules.json`) and the tests load it.
 */
import { z } from 'zod';

const findingRule = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'ids are kebab-case'),
  severity: z.enum(['error', 'warning', 'note']),
  summary: z.string().min(1),
  help: z.string().min(1),
  source: z.string().min(1),
  /** Where a user reads more: an https URL (SARIF `helpUri`). */
  docs: z.string().url().startsWith('https://').optional(),
});

/** One row of `rules/findings.yaml`: what a user reads about a finding. */
export type FindingRule = z.infer<typeof findingRule>;

/** The rows of one catalogue file (an empty file is no rows). */
export const findingRows = z.array(findingRule).nullable();
