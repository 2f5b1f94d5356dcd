import { describe, expect, it } from 'vitest';
import { GrammarCache } from '../../src/code/index.js';
import { expectFixture } from './harness.js';

const grammars = new GrammarCache();

describe('shell, Dockerfile, entrypoint, Terraform and YAML credential uses', () => {
  it('finds exactly the marked uses, ignoring comments, heredoc bodies and messages', async () => {
    const { uses, findings } = await expectFixture('shell', grammars);
    expect(new Set(uses.map((use) => use.language))).toEqual(new Set(['shell', 'dockerfile', 'terraform', 'yaml']));
    expect(uses.filter((use) => use.file === 'docker/entrypoint').map((use) => use.language)).toEqual(['shell']);
    expect(findings).toEqual([]);
  });
});
