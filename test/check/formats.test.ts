import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvDraft04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { XMLParser } from 'fast-xml-parser';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/check/result.js';
import { escapeAzureData, escapeAzureProperty, renderAzureDevops } from '../../src/report/azure-devops.js';
import { renderCheckJson } from '../../src/report/check-json.js';
import { renderCheckText } from '../../src/report/check-text.js';
import { escapeGithubData, escapeGithubProperty, renderGithub } from '../../src/report/github.js';
import { renderJunit, xmlEscape } from '../../src/report/junit.js';
import { cell, renderMarkdown } from '../../src/report/markdown.js';
import { renderSarif } from '../../src/report/sarif.js';
import { expectGolden } from '../helpers/golden.js';
import { copyFixture, writeTree } from '../helpers/repo.js';
import { validateCheckReport } from '../helpers/schema.js';
import { check } from './helpers.js';

const folder = fileURLToPath(new URL('../../fixtures/check/formats/', import.meta.url));
const schema = JSON.parse(readFileSync(new URL('../schemas/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object;
const AjvDraft04 = AjvDraft04Module.default;
const addFormats = addFormatsModule.default;
const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validateSarif = ajv.compile(schema);

function sarifErrors(text: string): string[] {
  const data: unknown = JSON.parse(text);
  if (validateSarif(data)) return [];
  return (validateSarif.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
}

/**
 * The formats fixture: a baseline written from `repo/`, then deploy/old.yaml migrated (a fixed entry) and a new
 * workload added (a new finding), so every status shows: open at and below the threshold, suppressed inline and by
 * configuration, baselined, fixed.
 */
function formatsResult(): CheckResult {
  const dir = copyFixture(join(folder, 'repo'));
  const first = check(dir, { writeBaseline: 'pod2wi-baseline.json' });
  writeFileSync(join(dir, 'pod2wi-baseline.json'), first.baseline ?? '');
  rmSync(join(dir, 'deploy/old.yaml'));
  writeFileSync(join(dir, 'deploy/new.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: new\n  namespace: shop\n  labels: {aadpodidbinding: "new%identity"}\nspec:\n  containers: [{name: new, image: contoso/new:1}]\n');
  writeFileSync(join(dir, 'deploy/shop.yaml'), `# moved down by a comment\n${readFileSync(join(dir, 'deploy/shop.yaml'), 'utf8')}`);
  return check(dir, { baseline: 'pod2wi-baseline.json' }).result;
}

describe('check formats on one repository', () => {
  const result = formatsResult();
  const sarif = renderSarif(result, { informationUri: 'https://www.npmjs.com/package/pod2wi' });

  it('holds every status', () => {
    expect(result.findings.map((finding) => `${finding.ruleId} ${finding.status}${finding.failing ? ' failing' : ''}`)).toEqual([
      'aadpodidbinding-label suppressed',
      'aadpodidbinding-label open failing',
      'aadpodidbinding-label baselined',
      'unused-suppression open',
      'proxy-sidecar-false baselined',
      'hard-coded-token-path suppressed',
    ]);
    expect(result.fixed.map((entry) => entry.file)).toEqual(['deploy/old.yaml']);
  });

  it('writes JSON valid against schema/check-report.schema.json', () => {
    expect(validateCheckReport(JSON.parse(renderCheckJson(result)))).toEqual([]);
    expect(validateCheckReport(check(writeTree({ 'a.yaml': 'a: 1\n' })).result)).toEqual([]);
  });

  it('renders each format as its golden file', () => {
    expectGolden(join(folder, 'expected', 'check.txt'), renderCheckText(result, { color: false }));
    expectGolden(join(folder, 'expected', 'check.json'), renderCheckJson(result));
    expectGolden(join(folder, 'expected', 'check.sarif'), sarif);
    expectGolden(join(folder, 'expected', 'check.junit.xml'), renderJunit(result, {}));
    expectGolden(join(folder, 'expected', 'check.github.txt'), renderGithub(result, {}));
    expectGolden(join(folder, 'expected', 'check.azure-devops.txt'), renderAzureDevops(result, {}));
    expectGolden(join(folder, 'expected', 'check.md'), renderMarkdown(result, {}));
  });

  it('writes SARIF valid against the official SARIF 2.1.0 schema', () => {
    expect(sarifErrors(sarif)).toEqual([]);
    const log = JSON.parse(sarif) as Log;
    const run = log.runs[0];
    const rules = run?.tool.driver.rules ?? [];
    expect(rules.map((rule) => rule.id)).toEqual(result.rules.map((rule) => rule.id));
    expect(rules.find((rule) => rule.id === 'aadpodidbinding-label')).toMatchObject({
      helpUri: 'https://learn.microsoft.com/azure/aks/workload-identity-migrate-from-pod-identity',
      defaultConfiguration: { level: 'error' },
    });
    for (const entry of run?.results ?? []) {
      expect(rules[entry.ruleIndex ?? -1]?.id).toBe(entry.ruleId);
      expect(entry.partialFingerprints?.['pod2wi/v1']).toMatch(/^[0-9a-f]{32}$/);
      expect(entry.locations?.[0]?.physicalLocation?.artifactLocation?.uriBaseId).toBe('%SRCROOT%');
    }
    const suppressed = (run?.results ?? []).filter((entry) => entry.suppressions);
    expect(suppressed.map((entry) => entry.suppressions?.[0]?.kind)).toEqual(['inSource', 'external']);
    expect(suppressed[0]?.locations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe('deploy/legacy%20batch.yaml');
    expect((run?.results ?? []).map((entry) => entry.baselineState)).toEqual(['new', 'new', 'unchanged', 'new', 'unchanged', 'new']);
  });

  it('writes SARIF valid against the schema without a baseline, with a path prefix, and with no results', () => {
    const dir = writeTree({ 'a.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: {aadpodidbinding: a}\nspec: {containers: []}\n' });
    const plain = renderSarif(check(dir).result, { informationUri: 'https://example.com/pod2wi', pathPrefix: 'deploy/prod' });
    expect(sarifErrors(plain)).toEqual([]);
    expect((JSON.parse(plain) as Log).runs[0]?.results?.[0]?.locations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe('deploy/prod/a.yaml');
    const empty = renderSarif(check(writeTree({ 'a.yaml': 'a: 1\n' })).result, { informationUri: 'https://example.com/pod2wi' });
    expect(sarifErrors(empty)).toEqual([]);
    expect((JSON.parse(empty) as Log).runs[0]?.results).toEqual([]);
  });

  it('keeps SARIF fingerprints when lines move', () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels:\n    aadpodidbinding: a\nspec: {containers: []}\n';
    const before = check(writeTree({ 'a.yaml': pod })).result;
    const after = check(writeTree({ 'a.yaml': `# one\n# two\n\n${pod.replace('  labels:\n', '  labels:\n    app: a\n')}` })).result;
    const fingerprints = (result: CheckResult) => (JSON.parse(renderSarif(result, { informationUri: 'https://example.com' })) as Log).runs[0]?.results?.map((entry) => entry.partialFingerprints);
    expect(after.findings[0]?.line).toBe(before.findings[0] ? before.findings[0].line + 4 : 0);
    expect(fingerprints(after)).toEqual(fingerprints(before));
  });

  it('writes JUnit XML that parses back: a suite per rule, failures, skips', () => {
    const xml = renderJunit(result, {});
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) }).parse(xml) as {
      testsuites: { '@tests': string; '@failures': string; '@skipped': string; testsuite: { '@name': string; '@failures': string; testcase: { '@name': string; failure?: { '@message': string }; skipped?: { '@message': string } }[] }[] };
    };
    expect(parsed.testsuites.testsuite.map((suite) => suite['@name'])).toEqual(result.rules.map((rule) => rule.id));
    expect(parsed.testsuites['@failures']).toBe('1');
    expect(parsed.testsuites['@skipped']).toBe('4');
    const label = parsed.testsuites.testsuite.find((suite) => suite['@name'] === 'aadpodidbinding-label');
    expect(label?.testcase.map((testcase) => testcase['@name'])).toEqual(['deploy/legacy batch.yaml:7:5', 'deploy/new.yaml:6:12', 'deploy/shop.yaml:23:9']);
    expect(label?.testcase[0]?.skipped?.['@message']).toBe("suppressed: batch <moves> & 'later' (until 2026-09-30)");
    expect(label?.testcase[1]?.failure?.['@message']).toContain('aadpodidbinding=new%identity');
    const quiet = parsed.testsuites.testsuite.find((suite) => suite['@name'] === 'pod-identity-addon');
    expect(quiet?.testcase.map((testcase) => testcase['@name'])).toEqual(['pod-identity-addon: no findings']);
  });

  it('annotates open findings only, as GitHub and Azure Pipelines read them', () => {
    const github = renderGithub(result, { pathPrefix: 'k8s' }).split('\n');
    expect(github[0]).toBe('::error file=k8s/deploy/new.yaml,line=6,col=12,title=aadpodidbinding-label::Pod shop/new: aadpodidbinding=new%25identity on the pod template');
    expect(github.filter((line) => line.startsWith('::'))).toHaveLength(2);
    expect(github.some((line) => line.startsWith('::notice file=k8s/deploy/shop.yaml,line=25,'))).toBe(true);
    const azure = renderAzureDevops(result, {}).split('\n');
    expect(azure[0]).toBe('##vso[task.logissue type=error;sourcepath=deploy/new.yaml;linenumber=6;columnnumber=12;code=aadpodidbinding-label]Pod shop/new: aadpodidbinding=new%AZP25identity on the pod template');
    expect(azure[1]).toMatch(/^note: deploy\/shop\.yaml:25:/);
  });
});

describe('escaping', () => {
  it('escapes GitHub workflow command data and properties like @actions/core', () => {
    expect(escapeGithubData('100% done\r\nnext: a,b')).toBe('100%25 done%0D%0Anext: a,b');
    expect(escapeGithubProperty('dir: a,b/c%.yaml\n')).toBe('dir%3A a%2Cb/c%25.yaml%0A');
  });

  it('escapes Azure Pipelines logging command data and properties like azure-pipelines-task-lib', () => {
    expect(escapeAzureData('100% done\r\n]; ok')).toBe('100%AZP25 done%0D%0A]; ok');
    expect(escapeAzureProperty('a;b]c%\n')).toBe('a%3Bb%5Dc%AZP25%0A');
  });

  it('escapes XML text and attributes, dropping characters XML 1.0 cannot carry', () => {
    expect(xmlEscape(`<a href="x">&'\u0001\u0007ok\ud800`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;ok');
  });

  it('escapes Markdown table cells', () => {
    expect(cell('a | b\nc <d>')).toBe('a \\| b c &lt;d>');
  });
});

describe('text format', () => {
  it('is one line when green', () => {
    const text = renderCheckText(check(writeTree({ 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n' })).result, { color: false });
    expect(text).toBe('pod2wi check passed: no findings (fails on error) · 1 file read under .\n');
  });

  it('colours only when asked', () => {
    const result = check(writeTree({ 'a.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: {aadpodidbinding: a}\nspec: {containers: []}\n' })).result;
    expect(renderCheckText(result, { color: true })).toContain('\u001b[');
    expect(renderCheckText(result, { color: false })).not.toContain('\u001b[');
  });
});
