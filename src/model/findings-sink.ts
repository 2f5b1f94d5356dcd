import type { FindingCatalogue } from '../rules/catalogue.js';
import { severityOf } from '../rules/catalogue.js';
import type { FindingId } from '../rules/finding-ids.js';
import type { Finding } from './finding.js';
import type { Location } from './location.js';

/**
 * Where stages put findings. Passed down in the scan context (never a module-level list); the severity comes from
 * the rule catalogue so a stage only says what it saw and where.
 */
export class FindingSink {
  readonly #catalogue: FindingCatalogue;
  readonly #findings: Finding[] = [];

  constructor(catalogue: FindingCatalogue) {
    this.#catalogue = catalogue;
  }

  add(ruleId: FindingId, where: Location, message: string): void {
    this.#findings.push({
      ruleId,
      severity: severityOf(this.#catalogue, ruleId),
      message,
      file: where.file,
      line: where.line,
      column: where.column,
    });
  }

  /** Takes over another sink's findings (a stage run on another root), moving their paths with `move`. */
  absorb(other: FindingSink, move: (file: string) => string): void {
    for (const finding of other.all) this.#findings.push({ ...finding, file: move(finding.file) });
  }

  get all(): readonly Finding[] {
    return this.#findings;
  }
}
