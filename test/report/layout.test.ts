import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderCheckText } from '../../src/report/check-text.js';
import { groupFindings, itemsShown } from '../../src/report/finding-groups.js';
import { renderText } from '../../src/report/text.js';
import { visibleLength } from '../../src/report/wrap.js';
import { scan } from '../../src/run.js';
import { check } from '../check/helpers.js';
import { expectGolden } from '../helpers/golden.js';
import { copyFixture, scanOptionsFor } from '../helpers/repo.js';

/**
 * The text reports of a large repository (fixtures/scan/large-monorepo: many workloads, repeated findings, long
 * paths) at 80 and 120 columns: golden files for `check` (the scan goldens are written by scan-fixtures.test.ts),
 * no line wider than the width unless it is one unbreakable token, and no message cut.
 */
const fixture = fileURLToPath(new URL('../../fixtures/scan/large-monorepo/', import.meta.url));
const widths = [80, 120] as const;

/** Whitespace runs (a wrap, an indent, the padding before a location) as one space. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

function expectWithin(text: string, width: number): void {
  for (const line of text.split('\n')) {
    if (visibleLength(line) > width) expect(line.trim(), `line wider than ${width}: ${line}`).not.toMatch(/\s/);
  }
}

describe('text layout of a large repository', async () => {
  const report = await scan(scanOptionsFor(copyFixture(join(fixture, 'repo')), ['.']));
  const gate = check(copyFixture(join(fixture, 'repo'))).result;

  it('is large enough to show grouping: repeated findings, long paths', () => {
    expect(report.workloads.length).toBeGreaterThan(15);
    expect(groupFindings(report.findings).some((group) => group.items.length > itemsShown)).toBe(true);
    expect(groupFindings(report.findings).some((group) => group.items.some((item) => item.findings.length > 1))).toBe(true);
    expect(report.workloads.some((workload) => workload.file.length > 120)).toBe(true);
  });

  for (const width of widths) {
    it(`scan and check at ${width} columns: no line wider except one token, no message cut`, () => {
      const scanText = renderText(report, { color: false, width });
      const verbose = renderText(report, { color: false, width, verbose: true });
      const checkText = renderCheckText(gate, { color: false, width });
      const checkVerbose = renderCheckText(gate, { color: false, width, verbose: true });
      expectGolden(join(fixture, 'expected', `check.${width}.txt`), checkText);
      for (const text of [scanText, verbose, checkText, checkVerbose]) expectWithin(text, width);
      // --verbose names every finding whole; the default names each distinct message whole at least once.
      for (const finding of report.findings) expect(flat(verbose)).toContain(flat(finding.message));
      for (const finding of gate.findings) expect(flat(checkVerbose)).toContain(flat(finding.message));
      for (const group of groupFindings(report.findings)) {
        for (const item of group.items.slice(0, itemsShown)) expect(flat(scanText)).toContain(flat(item.message));
      }
      for (const workload of report.workloads) {
        for (const reason of [...workload.migration.reasons, ...workload.migration.warnings]) expect(flat(scanText)).toContain(flat(reason.message));
      }
    });
  }

  it('shows a binding chain once per workload, however many copies of the binding the repository holds', () => {
    const refund = report.workloads.find((workload) => workload.name === 'refund-processor');
    expect(refund?.podIdentity?.identities).toHaveLength(2);
    const text = renderText(report, { color: false, width: 120 });
    const block = text.slice(text.indexOf('Deployment refund-processor'), text.indexOf('\n  Deployment ', text.indexOf('Deployment refund-processor')));
    expect(block.split('→ binding payments-shared-binding')).toHaveLength(2);
  });

  it('starts with the summary, one line per field at 120 columns', () => {
    const lines = renderText(report, { color: false, width: 120 }).split('\n');
    expect(lines.slice(2, 6).map((line) => line.split(/\s+/)[0])).toEqual(['workloads', 'blockers', 'findings', 'next']);
  });

  it('--quiet prints the summary and the errors only; --min-severity hides what is below it', () => {
    const quiet = renderText(report, { color: false, quiet: true });
    expect(quiet).not.toContain('namespace ');
    expect(quiet).not.toMatch(/^ {2}(warning|note) /m);
    const warnings = renderText(report, { color: false, minSeverity: 'warning' });
    expect(warnings).not.toMatch(/^ {2}note /m);
    expect(warnings).toMatch(/^ {2}warning /m);
    expect(warnings).toContain('notes not listed: --min-severity warning');
  });

  it('check lists what fails the gate whatever --min-severity says', () => {
    const text = renderCheckText(gate, { color: false, minSeverity: 'error' });
    const failing = gate.findings.filter((finding) => finding.failing);
    expect(failing.length).toBeGreaterThan(0);
    for (const finding of failing) expect(flat(renderCheckText(gate, { color: false, minSeverity: 'error', verbose: true }))).toContain(flat(finding.message));
    expect(text.split('\n')[0]).toMatch(/^pod2wi check failed/);
  });
});
