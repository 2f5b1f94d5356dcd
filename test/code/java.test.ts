import { describe, expect, it } from 'vitest';
import { GrammarCache } from '../../src/code/index.js';
import { expectFixture } from './harness.js';

const grammars = new GrammarCache();

describe('Java credential uses', () => {
  it('finds exactly the marked uses through single-type, on-demand and qualified names, reading builder chains', async () => {
    const { uses, findings } = await expectFixture('java', grammars);
    expect(new Set(uses.map((use) => use.language))).toEqual(new Set(['java']));
    expect(findings).toEqual([]);
  });
});
