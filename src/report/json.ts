import type { ScanReport } from '../model/report.js';

/** The JSON contract, two-space indented with a final newline; key order is fixed by construction. */
export function renderJson(report: ScanReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
