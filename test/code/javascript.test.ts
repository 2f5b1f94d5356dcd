import { describe, expect, it } from 'vitest';
import { GrammarCache } from '../../src/code/index.js';
import { expectFixture } from './harness.js';

const grammars = new GrammarCache();

describe('JavaScript and TypeScript credential uses', () => {
  it('finds exactly the marked uses in the JavaScript fixture (.js .mjs .cjs .jsx)', async () => {
    const { uses, findings } = await expectFixture('javascript', grammars);
    expect(new Set(uses.map((use) => use.language))).toEqual(new Set(['javascript']));
    expect(findings).toEqual([]);
  });

  it('finds exactly the marked uses in the TypeScript fixture, reports the syntax error and skips declaration files', async () => {
    const { uses, findings } = await expectFixture('typescript', grammars);
    expect(new Set(uses.map((use) => use.language))).toEqual(new Set(['typescript']));
    expect(uses.some((use) => use.file.endsWith('.d.ts'))).toBe(false);
    expect(findings.map((finding) => `${finding.ruleId} ${finding.file}`)).toEqual(['source-parse-error src/broken.ts']);
  });
});
