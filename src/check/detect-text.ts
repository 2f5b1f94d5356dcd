import { folderOf as chartDirOf } from '../k8s/paths.js';
import { podIdentityGroup } from '../podidentity/crds.js';
import { podIdentityLabel } from '../podidentity/graph.js';
import type { GateContext } from './context.js';
import { languageOf, type Language } from './source-text.js';

/** The label key as a word: `aadpodidbinding`, also after `/` (a JSON patch path), not inside `aadpodidbinding-old`. */
export const labelToken = new RegExp(`(?<![\\w.-])${podIdentityLabel}(?![\\w-])`);
/** Whether the label key as a word (see labelToken) starts at `index` of `code`. */
export function isLabelAt(code: string, index: number): boolean {
  return code.startsWith(podIdentityLabel, index) && !/[\w.-]/.test(code[index - 1] ?? ' ') && !/[\w-]/.test(code[index + podIdentityLabel.length] ?? ' ');
}

/** The label key as a word, or as the last key of a Helm --set name in an HCL string (`podLabels.aadpodidbinding`). */
const setNameToken = new RegExp(`(?<![\\w-])${podIdentityLabel}(?![\\w-])`);

/** `aadpodidbinding: null` takes the label away (Helm values, strategic-merge patches): not a use. */
const removal = new RegExp(`${podIdentityLabel}["']?\\s*:\\s*(null|~)\\s*(?:[,}]\\s*)?$`);
const labelKey = new RegExp(`${podIdentityLabel}["']?\\s*[:=]\\s*`);
const groupVersion = new RegExp(`\\b${podIdentityGroup.replace(/\./g, '\\.')}/v1\\b`, 'g');

/** The workload-identity token path in any version of the webhook (v0.4.0–v1.5.1, and v1.6.0 onwards). */
const tokenPath = /(?:\/var)?\/run\/secrets\/azure\/(?:tokens|wi\/token)(?:\/azure-identity-token)?\b/g;

/**
 * The text sweep: every line of every file the gate reads is searched, outside comments, for `aadpodidbinding` and
 * the `aadpodidentity.k8s.io/v1` API version, so that no form escapes the gate (a Helm branch the default values
 * switch off, a document no parser could read, a Terraform `kubernetes_*` resource, a `kubectl label` in a script).
 * Lines a structural detector already explained, and covered ranges, are skipped. Manifest text (YAML and JSON) is
 * also searched for a hard-coded token path.
 */
export function detectText(context: GateContext): void {
  const { repo, texts, detections, coverage } = context;
  const chartDirs = new Set(context.manifests.charts.map((chart) => chart.dir));
  for (const file of repo.files) {
    if (context.only && !context.only.has(file.path)) continue;
    const language = languageOf(file.path);
    if (!language || coverage.coversFile(file.path)) continue;
    const source = texts.file(file.path);
    if (!source) continue;
    const hasLabel = source.text.includes(podIdentityLabel);
    const hasGroup = source.text.includes(`${podIdentityGroup}/v1`);
    const hasPath = (language === 'yaml' || language === 'json') && source.text.includes('/secrets/azure/');
    if (!hasLabel && !hasGroup && !hasPath) continue;
    const where = describeFile(file.path, language, chartDirs);
    for (const line of texts.lines(file.path) ?? []) {
      if (coverage.covers(file.path, line.number)) continue;
      if (hasLabel) {
        // In HCL the key is also the last part of a Helm --set name: `name = "podLabels.aadpodidbinding"`.
        const column = language === 'hcl' ? line.code.search(setNameToken) : line.code.search(labelToken);
        if (column >= 0 && !removal.test(line.code) && !detections.hasLine('aadpodidbinding-label', file.path, line.number)) {
          const value = labelValueIn(line.code);
          detections.add({ ruleId: 'aadpodidbinding-label', at: { file: file.path, line: line.number, column: column + 1 }, message: `aadpodidbinding${value ? `=${value}` : ''} in ${where}` });
        }
      }
      if (hasGroup) {
        for (const match of line.code.matchAll(groupVersion)) {
          if (detections.hasLine('pod-identity-object', file.path, line.number)) break;
          detections.add({ ruleId: 'pod-identity-object', at: { file: file.path, line: line.number, column: (match.index ?? 0) + 1 }, message: `${podIdentityGroup}/v1 object in ${where}; delete it at cut-over` });
        }
      }
      if (hasPath) {
        for (const match of line.code.matchAll(tokenPath)) {
          const legacy = match[0].includes('/tokens');
          detections.add({
            ruleId: 'hard-coded-token-path',
            at: { file: file.path, line: line.number, column: (match.index ?? 0) + 1 },
            message: `hard-coded token path ${match[0]}${legacy ? ' (moved in webhook v1.6.0)' : ''}; read AZURE_FEDERATED_TOKEN_FILE instead`,
          });
        }
      }
    }
  }
}

/**
 * The label's value after `aadpodidbinding:` or `=` on a line, whole: a quoted value up to its closing quote; else up
 * to a space, comma or closing bracket, where a template expression (`{{ .Values.identity.name }}`, `${var.name}`)
 * counts as one piece with the spaces and braces inside it. Undefined when the line gives no value.
 */
export function labelValueIn(code: string): string | undefined {
  const key = labelKey.exec(code);
  if (!key) return undefined;
  let i = key.index + key[0].length;
  const quote = code[i] === '"' || code[i] === "'" ? code[i] : null;
  if (quote) i++;
  const start = i;
  while (i < code.length) {
    const rest = code.slice(i);
    const opener = rest.startsWith('{{') ? '}}' : rest.startsWith('${') ? '}' : null;
    if (opener) {
      const end = rest.indexOf(opener, 2);
      // An expression that goes on past the line is kept to the line's end, never cut inside.
      i = end < 0 ? code.trimEnd().length : i + end + opener.length;
      continue;
    }
    const char = code[i] ?? '';
    if (quote ? char === quote : /[\s,}\]"']/.test(char)) break;
    i++;
  }
  return i > start ? code.slice(start, i) : undefined;
}

/** pod2wi's own JSON output (scan and check reports, baselines) names every form it found: never read as input. */
export function isPod2wiOutput(text: string): boolean {
  return /^\s*\{[^]{0,400}?"tool"\s*:\s*\{\s*"name"\s*:\s*"pod2wi"/.test(text.slice(0, 600));
}

function describeFile(path: string, language: Language, chartDirs: ReadonlySet<string>): string {
  const chart = chartDirOf(path, chartDirs);
  if (chart !== null) {
    const rest = chart ? path.slice(chart.length + 1) : path;
    if (rest.startsWith('templates/')) {
      return /\.tpl$|\/_[^/]*$/.test(rest) ? 'a Helm named template' : 'a Helm template line that does not render with the chart\'s values, or that pod2wi could not read';
    }
    if (/^values([-.][^/]*)?\.ya?ml$/.test(rest)) return 'Helm values';
  }
  return {
    yaml: 'YAML',
    json: 'JSON',
    hcl: 'Terraform/HCL',
    bicep: 'Bicep',
    shell: 'a script',
    powershell: 'a PowerShell script',
    batch: 'a batch script',
  }[language];
}
