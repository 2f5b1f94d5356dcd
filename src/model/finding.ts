import type { Location } from './location.js';
import { compareLocations, compareStrings } from './location.js';

export type Severity = 'error' | 'warning' | 'note';

export const severities: readonly Severity[] = ['error', 'warning', 'note'];

/**
 * Something that does not add up, with where it was seen. `ruleId` is a stable kebab-case id
 * from `rules/findings.yaml`; the severity comes from that catalogue unless configuration moves it.
 */
export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareLocations(a, b) ||
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(a.message, b.message)
  );
}

export function severityRank(severity: Severity): number {
  return severity === 'error' ? 3 : severity === 'warning' ? 2 : 1;
}

/** Findings keyed by content, sorted; the same finding reported twice (two overlays of one base) appears once. */
export function sortFindings(findings: Iterable<Finding>): Finding[] {
  const unique = new Map<string, Finding>();
  for (const finding of findings) {
    unique.set(
      [finding.ruleId, finding.file, finding.line, finding.column, finding.message].join('\u0000'),
      finding,
    );
  }
  return [...unique.values()].sort(compareFindings);
}

export function at(location: Location): Pick<Finding, 'file' | 'line' | 'column'> {
  return { file: location.file, line: location.line, column: location.column };
}
