import type { GateContext } from './context.js';
import { languageOf, type Language, type SourceLine } from './source-text.js';

/** Cheap prefilter: a file that matches none of these cannot hold an add-on form. */
const prefilter = /podIdentityProfile|pod-identity|pod_identity/;

/** `podIdentityProfile` as a key: `"podIdentityProfile": {` (ARM), `podIdentityProfile: {` (Bicep, YAML), `podIdentityProfile = {` (AzAPI). */
const profileKey = /(["']?)\bpodIdentityProfile\1\s*[:=]/g;

/**
 * Terraform blocks named after pod identity. The azurerm provider never shipped one (its `azurerm_kubernetes_cluster`
 * pod-identity resource, PR 11492, was reverted by PR 12225), but modules and proposals use these names.
 */
const terraformBlock = /\b(pod_identity|pod_identity_profile|aad_pod_identity)\s*=?\s*\{/g;

/** CLI forms that enable the add-on or add to it; `--disable-pod-identity` and `az aks pod-identity delete` do not match. */
const cliForms: ReadonlyArray<{ readonly pattern: RegExp; readonly what: string }> = [
  { pattern: /\baz\s+aks\s+pod-identity\s+(add|exception\s+(add|update))\b/g, what: 'adds a pod identity to the AKS add-on' },
  { pattern: /(^|\s)--enable-pod-identity(-with-kubenet)?(?=\s|$|["'`;])/g, what: 'enables the AKS pod-identity add-on' },
];

/**
 * The AKS pod-identity add-on in infrastructure code: `podIdentityProfile` in ARM JSON, Bicep, Terraform AzAPI
 * bodies and YAML (Azure Service Operator), Terraform pod-identity blocks, and `az aks` commands in scripts and
 * pipelines. A profile whose `enabled` is literally false is the way out, and is not flagged.
 */
export function detectInfrastructure(context: GateContext): void {
  for (const file of context.repo.files) {
    if (context.only && !context.only.has(file.path)) continue;
    const language = languageOf(file.path);
    if (!language || context.coverage.coversFile(file.path)) continue;
    const source = context.texts.file(file.path);
    if (!source || !prefilter.test(source.text)) continue;
    const lines = context.texts.lines(file.path) ?? [];
    if (language !== 'shell' && language !== 'powershell' && language !== 'batch') detectProfiles(context, file.path, language, lines);
    detectCommands(context, file.path, language, lines);
  }
}

function detectProfiles(context: GateContext, file: string, language: Language, lines: readonly SourceLine[]): void {
  for (const line of lines) {
    const patterns = language === 'hcl' ? [profileKey, terraformBlock] : [profileKey];
    for (const pattern of patterns) {
      for (const match of line.code.matchAll(pattern)) {
        const column = (match.index ?? 0) + 1;
        const after = (match.index ?? 0) + (match[0].endsWith('{') ? match[0].length - 1 : match[0].length);
        const enabled = language === 'yaml' ? yamlEnabled(lines, line, after) : braceEnabled(lines, line, after);
        if (enabled === 'false') continue;
        const key = pattern === terraformBlock ? `${match[1] ?? 'pod_identity'} block` : 'podIdentityProfile';
        const state = enabled === null ? 'without enabled: false' : `with enabled ${enabled}`;
        context.detections.add({ ruleId: 'pod-identity-addon', at: { file, line: line.number, column }, message: `${key} ${state} configures the AKS pod-identity add-on; enable workload identity and set enabled to false (or remove it)` });
      }
    }
  }
}

/**
 * The `enabled` value inside the object that follows a key (after `{`), read through balanced braces on the code
 * text; null when the object has none or there is no object.
 */
function braceEnabled(lines: readonly SourceLine[], from: SourceLine, offset: number): string | null {
  let depth = 0;
  let started = false;
  for (let index = from.number - 1; index < lines.length; index++) {
    const code = lines[index]?.code ?? '';
    for (let i = index === from.number - 1 ? offset : 0; i < code.length; i++) {
      const char = code[i];
      if (char === '{' || char === '[') {
        depth++;
        started = true;
      } else if (char === '}' || char === ']') {
        depth--;
        if (started && depth === 0) return null;
      } else if (started && depth === 1 && /["'a-z]/i.test(char ?? '') && !/[\w$.-]/.test(code[i - 1] ?? ' ')) {
        const value = /^["']?enabled["']?\s*[:=]\s*([^\s,}]+)/.exec(code.slice(i));
        if (value) return (value[1] ?? '').replace(/^["']|["']$/g, '');
      } else if (!started && /\S/.test(char ?? '') && char !== ':' && char !== '=') {
        return null;
      }
    }
  }
  return null;
}

/** The `enabled` value in the YAML block (deeper-indented lines) after a `podIdentityProfile:` key. */
function yamlEnabled(lines: readonly SourceLine[], from: SourceLine, offset: number): string | null {
  const rest = from.code.slice(offset).trim();
  if (rest.startsWith('{')) return braceEnabled(lines, from, offset);
  const indent = from.code.length - from.code.trimStart().length;
  for (let index = from.number; index < lines.length; index++) {
    const code = lines[index]?.code ?? '';
    if (code.trim() === '') continue;
    const own = code.length - code.trimStart().length;
    if (own <= indent) return null;
    const value = /^\s*["']?enabled["']?\s*:\s*(\S+)/.exec(code);
    if (value) return (value[1] ?? '').replace(/^["']|["']$/g, '');
  }
  return null;
}

/** `az aks …` commands, read on logical lines (`\`, PowerShell backtick and batch `^` continuations joined). */
function detectCommands(context: GateContext, file: string, language: Language, lines: readonly SourceLine[]): void {
  const continuation = language === 'powershell' ? /`\s*$/ : language === 'batch' ? /\^\s*$/ : /\\\s*$/;
  let index = 0;
  while (index < lines.length) {
    const parts: { line: SourceLine; start: number }[] = [];
    let joined = '';
    for (;;) {
      const line = lines[index];
      index++;
      if (!line) break;
      parts.push({ line, start: joined.length });
      joined += `${line.code} `;
      if (!continuation.test(line.code) || index >= lines.length) break;
    }
    for (const { pattern, what } of cliForms) {
      for (const match of joined.matchAll(pattern)) {
        const offset = (match.index ?? 0) + (match[0].length - match[0].trimStart().length);
        const part = [...parts].reverse().find((candidate) => candidate.start <= offset) ?? parts[0];
        if (!part) continue;
        const command = match[0].trim().replace(/\s+/g, ' ');
        context.detections.add({
          ruleId: 'pod-identity-addon',
          at: { file, line: part.line.number, column: offset - part.start + 1 },
          message: `${command} ${what}; enable workload identity instead (--enable-oidc-issuer --enable-workload-identity)`,
        });
      }
    }
  }
}
