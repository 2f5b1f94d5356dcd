import type { FileFacts } from './facts.js';
import { FactsBuilder } from './facts.js';
import { readEnvironmentSettings, stripLineComment } from './lines.js';
import type { CredentialRules } from './rules.js';

/**
 * Terraform (`*.tf`), read line by line after removing `#`, `//` and `/* *\/` comments: provider and backend settings
 * such as `use_msi = true` (any provider: azurerm, azuread and azapi all read it), and environment settings such as
 * `ARM_USE_MSI = "true"` in maps. Expressions (`use_msi = var.x`) are not evaluated.
 */
export function analyzeTerraform(text: string, rules: CredentialRules): FileFacts {
  const facts = new FactsBuilder('terraform');
  const lines = withoutComments(text.split(/\r?\n/));
  lines.forEach((line, index) => {
    const match = /^(\s*)([A-Za-z_][A-Za-z0-9_]*)\s*=\s*("?)true\3\s*$/.exec(line);
    const setting = match?.[2];
    const rule = setting ? rules.terraform.get(setting) : undefined;
    if (!match || !rule || !setting) return;
    facts.direct.push({
      at: { line: index + 1, column: (match[1]?.length ?? 0) + 1 },
      api: setting,
      category: rule.category,
      detail:
        rule.category === 'cli-identity-login'
          ? `${setting} = true: the provider gets tokens from IMDS; with workload identity use use_aks_workload_identity = true (ARM_USE_AKS_WORKLOAD_IDENTITY)`
          : `${setting} = true: the provider uses the workload identity token file`,
    });
  });
  readEnvironmentSettings(lines, rules, facts);
  return facts.build();
}

function withoutComments(lines: readonly string[]): string[] {
  let inBlock = false;
  return lines.map((raw) => {
    let line = raw;
    if (inBlock) {
      const end = line.indexOf('*/');
      if (end < 0) return '';
      line = ' '.repeat(end + 2) + line.slice(end + 2);
      inBlock = false;
    }
    line = stripLineComment(line, ['#', '//']);
    const open = line.indexOf('/*');
    if (open >= 0) {
      const close = line.indexOf('*/', open + 2);
      if (close < 0) {
        inBlock = true;
        return line.slice(0, open);
      }
      line = line.slice(0, open) + ' '.repeat(close + 2 - open) + line.slice(close + 2);
    }
    return line;
  });
}
