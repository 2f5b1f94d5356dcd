import { describe, expect, it } from 'vitest';
import { GrammarCache } from '../../src/code/index.js';
import { expectFixture } from './harness.js';

const grammars = new GrammarCache();

describe('Python credential uses', () => {
  it('finds exactly the marked uses, follows imports and aliases, and reports the syntax error', async () => {
    const { uses, findings } = await expectFixture('python', grammars);
    expect(new Set(uses.map((use) => use.language))).toEqual(new Set(['python']));
    expect(findings.map((finding) => `${finding.ruleId} ${finding.file}`)).toEqual(['source-parse-error app/broken.py']);
  });
});
