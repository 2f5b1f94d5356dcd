import { it } from 'vitest';
import { GrammarCache } from '../../src/code/index.js';
import { scanFixture } from './harness.js';
it('debug', async () => {
  for (const name of (process.env.FIXTURES ?? 'javascript').split(',')) {
    const r = await scanFixture(name, new GrammarCache());
    console.log(name, r.uses.length, r.expected.length, r.ok.length);
    for (const u of r.uses) console.log(`${u.file}:${u.line}:${u.column} ${u.category} ${u.api} ${u.selection ?? ''} ${u.test} | ${u.detail}`);
  }
});
