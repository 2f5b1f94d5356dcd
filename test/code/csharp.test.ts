import { describe, expect, it } from 'vitest';
import { GrammarCache } from '../../src/code/index.js';
import { expectFixture } from './harness.js';

const grammars = new GrammarCache();

describe('C# credential uses', () => {
  it('finds exactly the marked uses through usings, global usings, csproj usings, aliases and qualified names', async () => {
    const { uses, findings } = await expectFixture('csharp', grammars);
    expect(new Set(uses.map((use) => use.language))).toEqual(new Set(['csharp']));
    expect(findings.map((finding) => `${finding.ruleId} ${finding.file}`)).toEqual(['source-parse-error Api/Broken.cs']);
  });
});
