import { z } from 'zod';
import { ConfigError } from '../model/errors.js';
import type { Severity } from '../model/finding.js';
import { findingIds, type FindingId } from './finding-ids.js';
import { loadRuleFile } from './load.js';

const findingRule = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'ids are kebab-case'),
  severity: z.enum(['error', 'warning', 'note']),
  summary: z.string().min(1),
  help: z.string().min(1),
  source: z.string().min(1),
});

/** One row of `rules/findings.yaml`: what a user reads about a finding. */
export type FindingRule = z.infer<typeof findingRule>;

export type FindingCatalogue = ReadonlyMap<FindingId, FindingRule>;

export function loadFindingCatalogue(): FindingCatalogue {
  const rows = loadRuleFile('findings.yaml', z.array(findingRule));
  const known = new Set<string>(findingIds);
  const catalogue = new Map<FindingId, FindingRule>();
  for (const row of rows) {
    if (!known.has(row.id)) throw new ConfigError(`rules/findings.yaml: ${row.id}: no code emits this finding`);
    if (catalogue.has(row.id as FindingId)) throw new ConfigError(`rules/findings.yaml: ${row.id}: listed twice`);
    catalogue.set(row.id as FindingId, row);
  }
  for (const id of findingIds) {
    if (!catalogue.has(id)) throw new ConfigError(`rules/findings.yaml: ${id}: missing`);
  }
  return catalogue;
}

export function severityOf(catalogue: FindingCatalogue, id: FindingId): Severity {
  const rule = catalogue.get(id);
  if (!rule) throw new ConfigError(`rules/findings.yaml: ${id}: missing`);
  return rule.severity;
}
