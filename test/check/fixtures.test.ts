import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CheckOptions } from '../../src/check/gate.js';
import { gateRuleIds } from '../../src/check/gate.js';
import { renderCheckText } from '../../src/report/check-text.js';
import { expectGolden } from '../helpers/golden.js';
import { copyFixture } from '../helpers/repo.js';
import { validateCheckReport } from '../helpers/schema.js';
import { check } from './helpers.js';

/**
 * One folder per rule or form under fixtures/check/: `positive/` is a repository whose findings must equal
 * `expected/positive.txt` (the text format), `negative/` one that must produce no finding at all. `fixture.json`
 * may pass options (`failOn`, `namespace`).
 */
const fixtures = fileURLToPath(new URL('../../fixtures/check/', import.meta.url));
const cases = readdirSync(fixtures).filter((name) => existsSync(join(fixtures, name, 'positive')) || existsSync(join(fixtures, name, 'negative'))).sort();
const seen = new Set<string>();

for (const name of cases) {
  const folder = join(fixtures, name);
  const settings = existsSync(join(folder, 'fixture.json'))
    ? (JSON.parse(readFileSync(join(folder, 'fixture.json'), 'utf8')) as { options?: Partial<Pick<CheckOptions, 'failOn' | 'namespace'>> })
    : {};
  describe(`check fixture ${name}`, () => {
    if (existsSync(join(folder, 'positive'))) {
      it('flags every form in positive/', () => {
        const { result } = check(copyFixture(join(folder, 'positive')), settings.options);
        expect(result.findings.length).toBeGreaterThan(0);
        for (const finding of result.findings) seen.add(finding.ruleId);
        expect(validateCheckReport(result)).toEqual([]);
        expectGolden(join(folder, 'expected', 'positive.txt'), renderCheckText(result, { color: false }));
      });
    }
    if (existsSync(join(folder, 'negative'))) {
      it('finds nothing in negative/', () => {
        const { result } = check(copyFixture(join(folder, 'negative')), settings.options);
        expect(result.findings.map((finding) => `${finding.file}:${finding.line} ${finding.ruleId} ${finding.message}`)).toEqual([]);
        expect(result.passed).toBe(true);
      });
    }
  });
}

describe('check fixtures', () => {
  it('cover every gate rule with a positive case', () => {
    // Suppression rules are covered by test/check/suppressions.test.ts.
    const expected = gateRuleIds.filter((id) => !id.endsWith('-suppression'));
    expect(expected.filter((id) => !seen.has(id))).toEqual([]);
  });
});
