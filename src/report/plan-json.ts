import type { ScanReport } from '../model/report.js';
import type { MigrationPlan } from '../plan/model.js';

/** `plan.json`: the plan as data, with the scan summary and findings it was decided from. */
export function renderPlanJson(report: ScanReport, plan: MigrationPlan): string {
  return `${JSON.stringify(
    {
      schemaVersion: 1,
      tool: report.tool,
      root: report.root,
      issuer: plan.issuer,
      summary: report.summary,
      workloads: plan.workloads,
      federatedCredentials: plan.federatedCredentials,
      findings: report.findings,
    },
    null,
    2,
  )}\n`;
}
