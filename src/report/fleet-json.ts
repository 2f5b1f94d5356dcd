import type { FleetReport } from '../model/fleet-report.js';

/** The fleet JSON contract (schema/fleet-report.schema.json), two-space indented with a final newline. */
export function renderFleetJson(report: FleetReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
