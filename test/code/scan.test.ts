import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'web-tree-sitter';
import { describe, expect, it } from 'vitest';
import { compareUses } from '../../src/code/classify.js';
import { findCredentialUses, GrammarCache, scanSourceFiles } from '../../src/code/index.js';
import type { GrammarName, GrammarResult } from '../../src/code/tree-sitter.js';
import { copyFixture, openRepo, repoOf, writeTree } from '../helpers/repo.js';
import { fixturesRoot } from './harness.js';

const grammars = new GrammarCache();

/** A grammar cache where some grammars fail: a missing file, or a parser that throws. */
class BrokenGrammars extends GrammarCache {
  readonly #broken: ReadonlyMap<GrammarName, 'missing' | 'throws'>;
  constructor(broken: ReadonlyMap<GrammarName, 'missing' | 'throws'>) {
    super();
    this.#broken = broken;
  }

  override get(name: GrammarName): Promise<GrammarResult> {
    const how = this.#broken.get(name);
    if (how === 'missing') return Promise.resolve({ error: 'ENOENT: tree-sitter-python.wasm' });
    if (how === 'throws') {
      const parser = Object.assign(Object.create(Parser.prototype) as Parser, {
        reset(): void {},
        parse(): never {
          throw new Error('parser exploded');
        },
      });
      return Promise.resolve({ parser });
    }
    return grammars.get(name);
  }
}

const mixed = {
  'app/a.py': 'from azure.identity import DefaultAzureCredential\ncredential = DefaultAzureCredential()\n',
  'app/b.py': 'from azure.identity import ManagedIdentityCredential\ncredential = ManagedIdentityCredential()\n',
  'web/a.ts': "import { DefaultAzureCredential } from '@azure/identity';\nexport const c = new DefaultAzureCredential();\n",
};

function listing(root: string): string[] {
  const entries: string[] = [];
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = statSync(path);
      if (stat.isDirectory()) visit(path);
      else entries.push(`${path} ${stat.size} ${stat.mtimeMs}`);
    }
  };
  visit(root);
  return entries;
}

describe('the code stage as a whole', () => {
  it('reports a grammar that does not load once, and still reads the other languages', async () => {
    const { repo, sink } = repoOf(mixed);
    const uses = await findCredentialUses(repo, sink, { grammars: new BrokenGrammars(new Map([['python', 'missing']])) });
    expect(uses.map((use) => `${use.file} ${use.api}`)).toEqual(['web/a.ts DefaultAzureCredential']);
    expect(sink.all.map((finding) => `${finding.ruleId} ${finding.file} ${finding.message}`)).toEqual([
      'grammar-unavailable app/a.py the python grammar did not load (ENOENT: tree-sitter-python.wasm); 2 files not analysed',
    ]);
  });

  it('turns a crash while analysing a file into a finding and goes on', async () => {
    const { repo, sink } = repoOf(mixed);
    const uses = await findCredentialUses(repo, sink, { grammars: new BrokenGrammars(new Map([['python', 'throws']])) });
    expect(uses.map((use) => use.file)).toEqual(['web/a.ts']);
    expect(sink.all.map((finding) => `${finding.ruleId} ${finding.file}`)).toEqual(['source-parse-error app/a.py', 'source-parse-error app/b.py']);
    expect(sink.all[0]?.message).toContain('parser exploded');
  });

  it('skips binary and oversized files without a crash', async () => {
    const source = 'from azure.identity import DefaultAzureCredential\nDefaultAzureCredential()\n';
    const root = writeTree({
      'bin/tool.py': new Uint8Array([0x66, 0x72, 0x6f, 0x6d, 0x00, 0x01, 0x02]),
      'big.py': `${source}${'#'.repeat(400)}\n`,
      'small.py': source,
    });
    const { repo, sink } = openRepo(root, 200);
    const uses = await findCredentialUses(repo, sink, { grammars });
    expect(uses.map((use) => use.file)).toEqual(['small.py']);
    expect(repo.skipped.map((skipped) => `${skipped.path} ${skipped.reason}`)).toEqual(['big.py too-large', 'bin/tool.py binary']);
    expect(sink.all.map((finding) => `${finding.ruleId} ${finding.file} ${finding.message}`)).toEqual([
      'file-skipped big.py skipped: larger than --max-file-size (476 bytes); credential uses in this source file are not reported',
      'file-skipped bin/tool.py skipped: binary content; credential uses in this source file are not reported',
    ]);
  });

  it('gives the same sorted output on every run, and never writes to the scanned tree', async () => {
    const root = copyFixture(join(fixturesRoot, 'python'));
    const before = listing(root);
    const first = await findCredentialUses(openRepo(root).repo, openRepo(root).sink, { grammars });
    const second = await findCredentialUses(openRepo(root).repo, openRepo(root).sink, { grammars });
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(first).toEqual([...first].reverse().sort(compareUses));
    expect(listing(root)).toEqual(before);
  });

  it('drops nothing through the prefilter: every fixture gives the same uses when every file is parsed', async () => {
    for (const name of readdirSync(fixturesRoot).sort()) {
      const root = copyFixture(join(fixturesRoot, name));
      const filtered = await scanSourceFiles(openRepo(root).repo, openRepo(root).sink, { grammars });
      const everything = await scanSourceFiles(openRepo(root).repo, openRepo(root).sink, { grammars, prefilter: false });
      expect(filtered.uses, name).toEqual(everything.uses);
      expect(filtered.stats.candidateFiles, name).toBeLessThanOrEqual(everything.stats.candidateFiles);
    }
  });
});
