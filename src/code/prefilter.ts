import { escapeRegExp } from '../model/text.js';
import type { SourceLanguage } from '../model/application.js';
import type { CredentialRules } from './rules.js';
import { codeLanguages } from './rules.js';

/**
 * The text test deciding which files are parsed. Built from the rule data, so it is a superset of every name and
 * string the syntax-tree rules look for by construction: a file without any of these strings cannot produce a use.
 * (A hand-written, narrower prefilter measurably missed a quarter of the hits; see the README's Design section.)
 */
export type Prefilters = ReadonlyMap<SourceLanguage, RegExp>;

/** The literal strings the prefilter of one language looks for. */
export function prefilterTerms(rules: CredentialRules, language: SourceLanguage): string[] {
  const terms = new Set<string>();
  const { endpoints } = rules;
  // Strings every language may hold: endpoints, token files, environment variables.
  terms.add(endpoints.imdsHost);
  terms.add(endpoints.tokenPath.split('/').slice(-2).join('/')); // oauth2/token: `metadata` may be spelt in any case
  terms.add(endpoints.nmiPort);
  terms.add(endpoints.nmiPath);
  for (const tokenFile of endpoints.tokenFiles) terms.add(tokenFile.path.slice(tokenFile.path.lastIndexOf('/') + 1));
  for (const row of rules.file.environment) terms.add(row.name);
  if (codeLanguages.some((code) => code === language)) {
    for (const row of rules.file.apis) {
      if (!row.languages.some((code) => code === language)) continue;
      terms.add(row.symbol);
      terms.add(row.module);
    }
    for (const row of rules.file.options) if (row.languages.some((code) => code === language)) terms.add(row.name);
    for (const row of rules.file.tokenScopes) if (row.languages.some((code) => code === language)) terms.add(row.name);
    for (const row of rules.file.drivers) if (row.languages.some((code) => code === language)) for (const word of row.prefilter) terms.add(word);
    for (const row of rules.file.extensionCalls ?? []) if (row.languages.some((code) => code === language)) terms.add(row.name);
  } else {
    // Command lines: every command needs all its words, so any one of them (the most specific) is a superset.
    for (const command of rules.commands) terms.add('words' in command ? (command.words[0] ?? command.command) : command.command);
    for (const row of rules.file.terraform) terms.add(row.setting);
  }
  return [...terms].filter((term) => term.length > 0).sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

/** One regular expression per language, an alternation of its literal terms (V8 scans these fast). */
export function buildPrefilters(rules: CredentialRules): Prefilters {
  const languages: SourceLanguage[] = [...codeLanguages, 'shell', 'dockerfile', 'terraform', 'yaml'];
  return new Map(languages.map((language) => [language, new RegExp(prefilterTerms(rules, language).map(escapeRegExp).join('|'))]));
}
