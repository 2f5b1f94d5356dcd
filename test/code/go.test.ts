import { describe, expect, it } from 'vitest';
import { defaultPackageName } from '../../src/code/go.js';
import { GrammarCache } from '../../src/code/index.js';
import { expectFixture } from './harness.js';

const grammars = new GrammarCache();

describe('Go credential uses', () => {
  it('finds exactly the marked uses through import paths and their local names', async () => {
    const { uses, findings } = await expectFixture('go', grammars);
    expect(new Set(uses.map((use) => use.language))).toEqual(new Set(['go']));
    expect(findings).toEqual([]);
  });

  it('names an import by its last path element, skipping a major-version suffix', () => {
    expect(defaultPackageName('github.com/Azure/azure-sdk-for-go/sdk/azidentity')).toBe('azidentity');
    expect(defaultPackageName('github.com/Azure/go-autorest/autorest/adal')).toBe('adal');
    expect(defaultPackageName('github.com/example/thing/v2')).toBe('thing');
  });
});
