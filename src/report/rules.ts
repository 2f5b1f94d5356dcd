import { createColors } from 'picocolors';
import type { BomRow, DependencyKnowledge, IdentityLibrary, SdkFloor } from '../deps/knowledge.js';
import { skipReasonMeanings, skipReasons, type SkipReason } from '../deps/skip.js';
import type { Ecosystem } from '../model/application.js';
import { compareMavenVersions } from '../deps/versions/maven-version.js';
import type { FindingCatalogue, FindingRule } from '../rules/catalogue.js';

/**
 * What `pod2wi rules` shows: the rule data the dependency verdicts rest on, each row with its source, the closed
 * list of skip reasons, and the finding catalogue. Part of the JSON contract of `pod2wi rules --format json`.
 */
export interface RulesListing {
  readonly schemaVersion: 1;
  readonly sdkFloors: readonly SdkFloor[];
  readonly identityLibraries: readonly IdentityLibrary[];
  readonly azureSdkBom: readonly BomRow[];
  readonly skipReasons: readonly { readonly reason: SkipReason; readonly meaning: string }[];
  readonly findings: readonly FindingRule[];
}

const ecosystemOrder: readonly Ecosystem[] = ['nuget', 'maven', 'npm', 'pypi', 'go', 'vcpkg'];
const ecosystemTitle: Readonly<Record<Ecosystem, string>> = {
  nuget: '.NET (NuGet)',
  maven: 'Java (Maven, Gradle)',
  npm: 'JavaScript (npm)',
  pypi: 'Python (PyPI)',
  go: 'Go',
  vcpkg: 'C++ (vcpkg)',
};

export function buildRulesListing(knowledge: DependencyKnowledge, catalogue: FindingCatalogue): RulesListing {
  return {
    schemaVersion: 1,
    sdkFloors: knowledge.floors,
    identityLibraries: knowledge.libraries,
    azureSdkBom: [...knowledge.boms].sort((a, b) => compareMavenVersions(a.bom, b.bom)),
    skipReasons: skipReasons.map((reason) => ({ reason, meaning: skipReasonMeanings[reason] })),
    findings: [...catalogue.values()],
  };
}

export function renderRulesJson(listing: RulesListing): string {
  return `${JSON.stringify(listing, null, 2)}\n`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text}  ` : text.padEnd(width);
}

/**
 * The terminal listing: per ecosystem a table of the Azure Identity library (workload-identity floor, token-exchange
 * version) and the legacy, ADAL and MSAL libraries, each with its source; then the BOM table, the skip reasons and
 * the findings.
 */
export function renderRulesText(listing: RulesListing, options: { readonly color: boolean }): string {
  const c = createColors(options.color);
  const lines: string[] = [];
  lines.push(c.bold('pod2wi rules: what the dependency verdicts rest on'));
  lines.push('supportsWorkloadIdentity: the version is at or above the WI floor (the AKS documentation minimum).');
  lines.push("managedIdentityTokenExchange: from that version, ManagedIdentityCredential already performs the token exchange.");
  lines.push('legacy: the library only reaches IMDS or an App Service MSI endpoint.');
  for (const ecosystem of ecosystemOrder) {
    const floors = listing.sdkFloors.filter((row) => row.ecosystem === ecosystem);
    const libraries = listing.identityLibraries.filter((row) => row.ecosystem === ecosystem);
    if (floors.length === 0 && libraries.length === 0) continue;
    const width = Math.max(24, ...[...floors, ...libraries].map((row) => row.package.length + 2));
    lines.push('', c.bold(ecosystemTitle[ecosystem]));
    lines.push(c.dim(`  ${pad('PACKAGE', width)}${pad('ROLE', 16)}${pad('WI FLOOR', 10)}TOKEN EXCHANGE`));
    for (const row of floors) {
      const exchange = row.managedIdentityTokenExchange === null
        ? 'never'
        : `${row.managedIdentityTokenExchange}${row.tokenExchangeRegressions.length ? ` (not ${row.tokenExchangeRegressions.join(', ')})` : ''}`;
      lines.push(`  ${pad(row.package, width)}${pad('azure-identity', 16)}${pad(row.workloadIdentityCredential, 10)}${exchange}`);
      lines.push(c.dim(`      source: ${row.source}`));
    }
    for (const row of libraries) {
      const legacy = row.kind === 'legacy' || row.kind === 'adal';
      lines.push(`  ${pad(row.package, width)}${pad(row.kind, 16)}${pad(legacy ? 'never' : '-', 10)}${legacy ? 'never' : '-'}`);
      lines.push(`      ${row.note}`);
      lines.push(c.dim(`      source: ${row.source}`));
    }
  }
  lines.push('', c.bold('com.azure:azure-sdk-bom → com.azure:azure-identity (versions not listed stay unresolved)'));
  for (const row of listing.azureSdkBom) lines.push(`  ${pad(row.bom, 10)}→ ${pad(row.azureIdentity, 10)}${c.dim(row.source)}`);
  lines.push('', c.bold('Why a version can be unknown (dependency "skip")'));
  for (const entry of listing.skipReasons) lines.push(`  ${pad(entry.reason, 27)}${entry.meaning}`);
  lines.push('', c.bold('Findings'));
  for (const rule of listing.findings) lines.push(`  ${pad(rule.id, 34)}${pad(rule.severity, 9)}${rule.summary}`);
  lines.push('', c.dim('Data: rules/sdk-floors.yaml, rules/identity-libraries.yaml, rules/azure-sdk-bom.yaml, rules/findings/*.yaml'));
  return `${lines.join('\n')}\n`;
}
