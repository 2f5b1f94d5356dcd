import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderPlanMarkdown } from '../../src/report/plan-markdown.js';
import { analyze } from '../../src/run.js';
import { copyFixture, scanOptionsFor } from '../helpers/repo.js';

const fixture = fileURLToPath(new URL('../../fixtures/scan/large-monorepo/repo', import.meta.url));

describe('plan.md for people', async () => {
  const { report, plan } = await analyze(scanOptionsFor(copyFixture(fixture), ['.']));
  const markdown = renderPlanMarkdown(report, plan);

  it('opens with a table of workloads: verdict, blocker and next step', () => {
    const summary = markdown.slice(markdown.indexOf('## Summary'), markdown.indexOf('\n## ', markdown.indexOf('## Summary') + 1));
    expect(summary).toContain('| namespace | workload | identity | verdict | blocker | next step | evidence |');
    const rows = summary.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| namespace'));
    expect(rows).toHaveLength(plan.workloads.filter((item) => item.path !== 'not-applicable').length);
    for (const row of rows) expect(row.split(' | ')[5]).not.toBe('');
  });

  it('has one section per namespace, each naming its workloads', () => {
    const namespaces = [...new Set(plan.workloads.filter((item) => item.path !== 'not-applicable').map((item) => item.namespace))].sort();
    const headings = markdown.split('\n').filter((line) => line.startsWith('## Namespace ')).map((line) => line.slice('## Namespace '.length));
    expect(headings).toEqual(namespaces);
    for (const item of plan.workloads.filter((entry) => entry.path !== 'not-applicable')) {
      const section = markdown.slice(markdown.indexOf(`## Namespace ${item.namespace}\n`));
      expect(section).toContain(`### ${item.namespace} · ${item.kind} ${item.name} — `);
    }
  });

  it('summarises long lists with a count and points to plan.json', () => {
    const first = plan.workloads[0];
    if (!first) throw new Error('the fixture has workloads');
    const many = {
      ...plan,
      workloads: Array.from({ length: 130 }, (_, index) => ({
        ...first,
        name: `svc-${String(index).padStart(3, '0')}`,
        reasons: Array.from({ length: 14 }, (_, n) => ({ code: `reason-${n}`, message: `reason number ${n}` })),
      })),
    };
    const long = renderPlanMarkdown(report, many);
    const summary = long.slice(long.indexOf('## Summary'), long.indexOf('## Graph') > 0 ? long.indexOf('## Graph') : long.indexOf('## Before'));
    expect(summary.split('\n').filter((line) => line.startsWith(`| ${first.namespace} |`))).toHaveLength(100);
    expect(summary).toContain('… and 30 more workloads: every one is in `plan.json` (`workloads`)');
    expect(long).toContain('- reason number 9');
    expect(long).not.toContain('- reason number 10');
    expect(long).toContain(`- … and 4 more reasons: \`plan.json\` has them all (\`reasons\` of ${first.workload})`);
  });

  it('keeps the graph', () => {
    expect(markdown).toContain('```mermaid\nflowchart LR');
  });
});
