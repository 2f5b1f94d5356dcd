import type { Log, ReportingDescriptor, Result, Suppression } from 'sarif';
import { fingerprintVersion } from '../check/fingerprint.js';
import type { CheckResult, GateFinding, GateRule } from '../check/result.js';
import { ciPath, type CiPathOptions } from './paths.js';

/** The `$schema` of the logs pod2wi writes: the OASIS SARIF 2.1.0 schema (errata 01), which tests validate against. */
export const sarifSchemaUri = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** SARIF options: the path prefix of every CI format, and the tool's information URI. */
export interface SarifOptions extends CiPathOptions {
  /** `tool.driver.informationUri`: where users learn about pod2wi. */
  readonly informationUri: string;
}

const tags = (id: string): string[] =>
  id.endsWith('-suppression') ? ['pod2wi', 'suppression'] : id === 'manifest-parse-error' ? ['pod2wi', 'parse'] : /^(aadpodidbinding|pod-identity)/.test(id) ? ['pod2wi', 'aad-pod-identity'] : ['pod2wi', 'workload-identity'];

function descriptor(rule: GateRule): ReportingDescriptor {
  const docs = rule.docs ? `\n\nMore: ${rule.docs}` : '';
  return {
    id: rule.id,
    name: rule.id.split('-').map((part) => `${part.charAt(0).toUpperCase()}${part.slice(1)}`).join(''),
    shortDescription: { text: rule.summary },
    fullDescription: { text: rule.help },
    help: {
      text: `${rule.help}${docs}`,
      markdown: `**${rule.summary}**\n\n${rule.help}${rule.docs ? `\n\n[Read more](${rule.docs})` : ''}`,
    },
    ...(rule.docs ? { helpUri: rule.docs } : {}),
    defaultConfiguration: { level: rule.severity },
    properties: { tags: tags(rule.id) },
  };
}

/** Percent-encodes each path segment so the URI reference is valid (spaces, `#`, `?`, non-ASCII). */
function uriOf(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function suppressionOf(finding: GateFinding, options: SarifOptions): Suppression[] {
  const suppression = finding.suppression;
  if (!suppression) return [];
  return [{
    kind: suppression.kind,
    status: 'accepted',
    justification: suppression.reason,
    location: { physicalLocation: { artifactLocation: { uri: uriOf(ciPath(suppression.file, options)), uriBaseId: '%SRCROOT%' }, region: { startLine: suppression.line } } },
    ...(suppression.until ? { properties: { until: suppression.until } } : {}),
  }];
}

/**
 * SARIF 2.1.0 for code-scanning uploads: every gate rule with its help and docs link, one result per finding with a
 * `%SRCROOT%`-relative location and the `pod2wi/v1` partial fingerprint; suppressed findings carry `suppressions`
 * (inSource for comments, external for `.pod2wi.yaml`), and with a baseline each result has a `baselineState`
 * (`new` or `unchanged`). Baseline entries that disappeared are not results (they have no location any more).
 */
export function renderSarif(result: CheckResult, options: SarifOptions): string {
  const ruleIndex = new Map(result.rules.map((rule, index) => [rule.id, index]));
  const results: Result[] = result.findings.map((finding) => {
    const suppressions = suppressionOf(finding, options);
    return {
      ruleId: finding.ruleId,
      ruleIndex: ruleIndex.get(finding.ruleId) ?? -1,
      level: finding.severity,
      message: { text: finding.message },
      locations: [{
        physicalLocation: {
          artifactLocation: { uri: uriOf(ciPath(finding.file, options)), uriBaseId: '%SRCROOT%' },
          region: { startLine: finding.line, startColumn: finding.column },
        },
      }],
      partialFingerprints: { [fingerprintVersion]: finding.fingerprint },
      ...(result.baseline ? { baselineState: finding.status === 'baselined' ? 'unchanged' as const : 'new' as const } : {}),
      ...(suppressions.length > 0 ? { suppressions } : {}),
    };
  });
  const log: Log = {
    $schema: sarifSchemaUri,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'pod2wi',
          version: result.tool.version,
          semanticVersion: result.tool.version,
          informationUri: options.informationUri,
          rules: result.rules.map(descriptor),
        },
      },
      columnKind: 'utf16CodeUnits',
      results,
      properties: { failOn: result.failOn, passed: result.passed },
    }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
