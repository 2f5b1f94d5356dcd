import { readdirSync } from 'node:fs';
import { ConfigError } from '../model/errors.js';
import type { Severity } from '../model/finding.js';
import { findingIds, type FindingId } from './finding-ids.js';
import type { FindingRule } from './catalogue-schema.js';
import { loadRuleFile, rulesDirectory } from './load.js';

export type { FindingRule };

export type FindingCatalogue = ReadonlyMap<FindingId, FindingRule>;

/** Loads every `rules/findings/*.yaml` and checks that they describe exactly the ids the code emits. */
export function loadFindingCatalogue(): FindingCatalogue {
  const known = new Set<string>(findingIds);
  const catalogue = new Map<FindingId, FindingRule>();
  const files = readdirSync(`${rulesDirectory}findings`).filter((name) => name.endsWith('.yaml')).sort();
  for (const name of files) {
    const rows = loadRuleFile<FindingRule[] | null>(`findings/${name}`) ?? [];
    for (const row of rows) {
      if (!known.has(row.id)) throw new ConfigError(`rules/findings/${name}: ${row.id}: no code emits this finding`);
      if (catalogue.has(row.id as FindingId)) throw new ConfigError(`rules/findings/${name}: ${row.id}: listed twice`);
      catalogue.set(row.id as FindingId, row);
    }
  }
  for (const id of findingIds) {
    if (!catalogue.has(id)) throw new ConfigError(`rules/findings: ${id}: no catalogue row describes it`);
  }
  return catalogue;
}

export function severityOf(catalogue: FindingCatalogue, id: FindingId): Severity {
  const rule = catalogue.get(id);
  if (!rule) throw new ConfigError(`rules/findings: ${id}: no catalogue row describes it`);
  return rule.severity;
}
