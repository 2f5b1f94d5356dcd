import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderJson } from '../src/report/json.js';
import { renderPlanMarkdown } from '../src/report/plan-markdown.js';
import { renderText } from '../src/report/text.js';
import { analyze } from '../src/run.js';
import { scanOptionsFor } from './helpers/repo.js';
import { expectGolden } from './helpers/golden.js';
import { validateScanReport } from './helpers/schema.js';

/** The bundled example: what `npm start` prints, and its plan, as reviewed golden files. */
const repository = fileURLToPath(new URL('..', import.meta.url));
const golden = (name: string) => join(repository, 'test', 'golden', 'contoso', name);

describe('examples/contoso', () => {
  it('scans and plans as the README shows', async () => {
    const { report, plan } = await analyze(scanOptionsFor(repository, ['examples/contoso']));
    expect(validateScanReport(report)).toEqual([]);
    expect(report.summary.paths).toMatchObject({ legacy: 3, latest: 2, migrated: 1 });
    expect(report.applications.filter((app) => app.kind !== 'loose-files').map((app) => [app.path, app.ecosystems.join('+')])).toEqual([
      ['apps', 'maven'],
      ['apps/inventory', 'maven'],
      ['apps/orders-api', 'npm'],
      ['apps/payments', 'nuget'],
      ['apps/reports', 'pypi'],
      ['apps/shipping', 'go'],
    ]);
    expectGolden(golden('scan.txt'), renderText({ ...report, summary: { ...report.summary, walk: 'git' } }, { color: false }));
    expectGolden(golden('scan.json'), renderJson({ ...report, summary: { ...report.summary, walk: 'git' } }));
    expectGolden(golden('plan.md'), renderPlanMarkdown(report, plan));
  });
});
