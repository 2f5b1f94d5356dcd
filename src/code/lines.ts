import type { FactsBuilder } from './facts.js';
import type { CredentialRules } from './rules.js';
import { matchCommand } from './shell.js';

/**
 * Removes comments from one line of a line-oriented file: `markers` start a comment at the start of the line or
 * after whitespace, outside single and double quotes. Returns the line with the comment blanked (same length up to
 * the comment, so columns stay right).
 */
export function stripLineComment(line: string, markers: readonly string[]): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote) {
      if (char === '\\' && quote === '"') i++;
      else if (char === quote) quote = null;
      continue;
    }
    if (char === '"' || char === "'") {
      quote = char;
      continue;
    }
    const atWordStart = i === 0 || /\s/.test(line[i - 1] ?? '');
    if (atWordStart && markers.some((marker) => line.startsWith(marker, i))) return line.slice(0, i);
  }
  return line;
}

/**
 * Settings of the environment variables the rules know (`ARM_USE_MSI: "true"`, `ARM_USE_MSI = "true"`,
 * `export ARM_USE_MSI=true`, or a Kubernetes `- name: X` followed by `value: v`) in already comment-free lines.
 */
export function readEnvironmentSettings(lines: readonly string[], rules: CredentialRules, facts: FactsBuilder): void {
  lines.forEach((line, index) => {
    for (const [name, rule] of rules.environment) {
      if (rule.on !== 'set') continue;
      const at = line.indexOf(name);
      if (at < 0 || /[A-Za-z0-9_]/.test(line[at - 1] ?? '') || /[A-Za-z0-9_]/.test(line[at + name.length] ?? '')) continue;
      const after = line.slice(at + name.length);
      const inline = /^["']?\s*[:=]\s*["']?([^"'\s,}\]]*)/.exec(after);
      let value: string | null = null;
      if (inline && inline[1] !== undefined && inline[1] !== '') value = inline[1];
      else if (/name\s*:\s*["']?$/.test(line.slice(0, at))) {
        // - name: ARM_USE_MSI / value: "true" on one of the next lines of the same item
        for (const next of lines.slice(index + 1, index + 4)) {
          const found = /^\s*value\s*:\s*["']?([^"'\s#]*)/.exec(next);
          if (found) {
            value = found[1] ?? null;
            break;
          }
          if (/^\s*-\s/.test(next)) break;
        }
      }
      if (value === null || value.includes('$') || value.includes('{{')) continue;
      facts.environment.push({ at: { line: index + 1, column: at + 1 }, name, kind: 'set', value });
    }
  });
}

/**
 * Command lines written inside other text (YAML container commands, pipeline scripts): each line is split at shell
 * separators, stripped of YAML quoting and list syntax, and matched against the command rules.
 */
export function readCommandLines(lines: readonly string[], rules: CredentialRules, facts: FactsBuilder): void {
  lines.forEach((line, index) => {
    for (const segment of splitSegments(line)) {
      const tokens = segment.text.replace(/["'[\],]/g, ' ').split(/\s+/).filter((token) => token.length > 0);
      for (const rule of rules.commands) {
        const start = tokens.findIndex((token) => token.slice(token.lastIndexOf('/') + 1) === rule.command);
        if (start < 0) continue;
        const use = matchCommand(rule, tokens.slice(start + 1));
        if (use) facts.direct.push({ at: { line: index + 1, column: segment.column + segment.text.indexOf(rule.command) }, api: rule.api, category: rule.category, ...use });
      }
    }
  });
}

function splitSegments(line: string): Array<{ text: string; column: number }> {
  const segments: Array<{ text: string; column: number }> = [];
  let start = 0;
  const separator = /&&|\|\||[;|]/g;
  for (let match = separator.exec(line); match; match = separator.exec(line)) {
    segments.push({ text: line.slice(start, match.index), column: start + 1 });
    start = match.index + match[0].length;
  }
  segments.push({ text: line.slice(start), column: start + 1 });
  return segments;
}
