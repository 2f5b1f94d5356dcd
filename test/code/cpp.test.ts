import { describe, expect, it } from 'vitest';
import { GrammarCache } from '../../src/code/index.js';
import { expectFixture } from './harness.js';

const grammars = new GrammarCache();

describe('C++ credential uses', () => {
  it('finds exactly the marked uses through qualified names, namespace aliases, using-directives and make_shared', async () => {
    const { uses, findings } = await expectFixture('cpp', grammars);
    expect(new Set(uses.map((use) => use.language))).toEqual(new Set(['cpp']));
    expect(findings).toEqual([]);
  });
});
