import type { CheckResult } from '../check/result.js';

/** The gate's JSON contract (`schemaVersion: 1`), two-space indented with a final newline. */
export function renderCheckJson(result: CheckResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
