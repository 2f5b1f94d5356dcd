import { escapeRegExp } from '../model/text.js';
import type { FileFacts } from './facts.js';
import { FactsBuilder } from './facts.js';
import { readCommandLines, readEnvironmentSettings, stripLineComment } from './lines.js';
import { prefilterTerms } from './prefilter.js';
import type { CredentialRules } from './rules.js';

/** Per rule set, the terms a YAML line needs to hold for the string rules to find anything in it. */
const lineFilters = new WeakMap<CredentialRules, RegExp>();
function lineFilter(rules: CredentialRules): RegExp {
  let filter = lineFilters.get(rules);
  if (!filter) {
    filter = new RegExp(prefilterTerms(rules, 'yaml').map(escapeRegExp).join('|'), 'i');
    lineFilters.set(rules, filter);
  }
  return filter;
}

/**
 * YAML files (Kubernetes manifests, Helm templates, CI pipelines), read as text lines without their comments: command
 * lines such as `az login --identity` in container commands or pipeline scripts, settings such as `ARM_USE_MSI:
 * "true"` or `- name: AZURE_TOKEN_CREDENTIALS` / `value: dev`, and endpoint URLs (each line is one string for the
 * shared endpoint rules). Reading YAML structure is the manifest stage's job; this reader only looks for text.
 */
export function analyzeYaml(text: string, rules: CredentialRules): FileFacts {
  const facts = new FactsBuilder('yaml');
  const lines = text.split(/\r?\n/).map((line) => (/^\s*#/.test(line) ? '' : stripLineComment(line, ['#'])));
  readCommandLines(lines, rules, facts);
  readEnvironmentSettings(lines, rules, facts);
  // Only lines holding a term of the rules can be an endpoint string: a file of thousands of objects stays cheap.
  const filter = lineFilter(rules);
  lines.forEach((line, index) => {
    const content = line.trim();
    if (content === '') return;
    if (/metadata["']?\s*:\s*["']?true/i.test(content)) facts.keys.add('Metadata');
    if (!filter.test(content)) return;
    facts.strings.push({ at: { line: index + 1, column: line.length - line.trimStart().length + 1 }, segments: [{ text: content, own: true }], message: false });
  });
  return facts.build();
}
