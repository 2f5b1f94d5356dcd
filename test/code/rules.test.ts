import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeFindingIds } from '../../src/code/finding-ids.js';
import { buildPrefilters, prefilterTerms } from '../../src/code/prefilter.js';
import { codeLanguages, loadCredentialRules } from '../../src/code/rules.js';
import { parseCredentialRules } from '../../src/code/rules-schema.js';
import type { SourceLanguage } from '../../src/model/application.js';
import { loadFindingCatalogue } from '../../src/rules/catalogue.js';
import { loadRuleFile } from '../../src/rules/load.js';
import { z } from 'zod';

const rules = loadCredentialRules();
const prefilters = buildPrefilters(rules);
const lineLanguages: SourceLanguage[] = ['shell', 'dockerfile', 'terraform', 'yaml'];

/** Everything the syntax-tree and line rules of one language look for, straight from the rule file. */
function searchedFor(language: SourceLanguage): string[] {
  const strings: string[] = [];
  const { endpoints } = rules.file;
  strings.push(endpoints.imdsHost, `${endpoints.imdsHost}${endpoints.tokenPath}`, `127.0.0.1:${endpoints.nmiPort}${endpoints.nmiPath}`);
  strings.push(`http://${endpoints.imdsHost}/METADATA/identity/oauth2/token`);
  for (const file of endpoints.tokenFiles) strings.push(file.path);
  for (const row of rules.file.environment) strings.push(row.name);
  if (codeLanguages.some((code) => code === language)) {
    for (const row of rules.file.apis) if (row.languages.some((code) => code === language)) strings.push(row.symbol, row.module);
    for (const row of rules.file.options) if (row.languages.some((code) => code === language)) strings.push(row.name);
  } else {
    for (const command of rules.file.commands) {
      strings.push('flags' in command ? [command.command, ...command.words, command.flags[0]].join(' ') : `${command.command} ${command.options[0]} ${command.value}`);
    }
    for (const row of rules.file.terraform) strings.push(`${row.setting} = true`);
  }
  return strings;
}

describe('credential rules', () => {
  it('load and validate, with every category and language the code stage reads', () => {
    expect(rules.file.apis.length).toBeGreaterThan(40);
    const categories = new Set([
      ...rules.file.apis.map((row) => row.category),
      ...rules.file.options.map((row) => row.category),
      ...rules.file.environment.map((row) => row.category),
      ...rules.file.commands.map((row) => row.category),
      ...rules.file.terraform.map((row) => row.category),
    ]);
    expect([...categories].sort()).toEqual(['app-service-msi', 'cli-identity-login', 'legacy-library', 'managed-identity-credential', 'modern', 'wi-excluded']);
    for (const language of codeLanguages) expect(rules.apis.get(language)?.size, language).toBeGreaterThan(0);
  });

  it('name the row and field of a broken rule', () => {
    const data = loadRuleFile<unknown>('credential-apis.yaml');
    const broken = structuredClone(data) as { apis: Array<Record<string, unknown>> };
    const first = broken.apis[0];
    if (first) first.category = 'imds-maybe';
    expect(() => parseCredentialRules(broken)).toThrow(/category/);
  });

  it('match the finding catalogue (rules/findings/code.yaml describes exactly the ids the stage emits)', () => {
    const catalogue = loadFindingCatalogue();
    for (const id of codeFindingIds) expect(catalogue.get(id)?.summary, id).toBeTruthy();
  });
});

describe('the prefilter', () => {
  it('is built from the rules: every symbol, module, option, variable, endpoint and command matches it', () => {
    for (const language of [...codeLanguages, ...lineLanguages]) {
      const prefilter = prefilters.get(language);
      for (const text of searchedFor(language)) expect(prefilter?.test(text), `${language}: ${text}`).toBe(true);
    }
  });

  it('matches a searched-for string wherever it sits in a file (bounded property run)', () => {
    const languages = [...codeLanguages, ...lineLanguages];
    fc.assert(
      fc.property(fc.constantFrom(...languages), fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }), fc.nat(), (language, before, after, pick) => {
        const strings = searchedFor(language);
        const term = strings[pick % strings.length] ?? '';
        return prefilters.get(language)?.test(`${before}${term}${after}`) === true;
      }),
      { numRuns: 300, seed: 4 },
    );
  });

  it('lets ordinary code through untouched', () => {
    expect(prefilters.get('typescript')?.test('export const add = (a: number, b: number) => a + b;\n')).toBe(false);
    expect(prefilters.get('python')?.test('import os\nprint(os.getcwd())\n')).toBe(false);
    expect(prefilterTerms(rules, 'go')).toContain('NewManagedIdentityCredential');
  });
});
