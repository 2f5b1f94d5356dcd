import { escapeRegExp } from '../model/text.js';
import type { CredentialUse } from '../model/application.js';
import { driverUses } from './classify.js';
import { FactsBuilder } from './facts.js';
import type { CodeLanguage, CredentialRules } from './rules.js';

/**
 * Configuration files an application reads its connection strings from (`appsettings.json`,
 * `application-prod.properties`), as the `configFiles` of the `drivers` rows name them. A driver setting there
 * (`Authentication=Active Directory Managed Identity`) is a credential use of the language whose driver reads it.
 */
export interface ConfigFileReader {
  /** The language of the drivers that read a file of this name, or null when no row names it. */
  languageOf(path: string): CodeLanguage | null;
  /** Driver uses in one configuration file, each line read as one string. */
  uses(path: string, text: string, language: CodeLanguage, test: boolean): CredentialUse[];
}

const readers = new WeakMap<CredentialRules, ConfigFileReader>();

export function configFileReader(rules: CredentialRules): ConfigFileReader {
  const known = readers.get(rules);
  if (known) return known;
  const patterns: { name: RegExp; language: CodeLanguage; words: RegExp }[] = [];
  for (const row of rules.file.drivers) {
    const language = row.languages[0];
    if (!language) continue;
    const words = new RegExp(row.prefilter.map(escapeRegExp).join('|'), 'i');
    for (const pattern of row.configFiles ?? []) {
      patterns.push({ name: new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, 'i'), language, words });
    }
  }
  // Every file of the repository is asked: one alternation rejects the others in one test.
  const any = new RegExp(patterns.map((pattern) => pattern.name.source).join('|') || '(?!)', 'i');
  const reader: ConfigFileReader = {
    languageOf(path) {
      const name = path.slice(path.lastIndexOf('/') + 1);
      if (!any.test(name)) return null;
      return patterns.find((pattern) => pattern.name.test(name))?.language ?? null;
    },
    uses(path, text, language, test) {
      const name = path.slice(path.lastIndexOf('/') + 1);
      if (!patterns.some((pattern) => pattern.language === language && pattern.name.test(name) && pattern.words.test(text))) return [];
      const facts = new FactsBuilder(language);
      text.split(/\r?\n/).forEach((line, index) => {
        const content = line.trim();
        if (content === '' || content.startsWith('#') || content.startsWith('//')) return;
        facts.strings.push({ at: { line: index + 1, column: line.length - line.trimStart().length + 1 }, segments: [{ text: content, own: true }], message: false });
      });
      return driverUses(facts.build(), { file: path, test }, rules);
    },
  };
  readers.set(rules, reader);
  return reader;
}
