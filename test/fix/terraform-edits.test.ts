import { describe, expect, it } from 'vitest';
import { removeKey, setPairs } from '../../src/fix/editors.js';
import { setName } from '../../src/fix/terraform-edits.js';
import { withChanges } from '../../src/k8s/files.js';
import { renderRepository } from '../../src/k8s/read.js';
import { getIn, toPlain } from '../../src/k8s/rendered.js';
import { parseHcl } from '../../src/terraform/hcl-syntax.js';
import { memorySource } from '../helpers/file-source.js';

const release = [
  'resource "helm_release" "feed" {',
  '  name       = "feed"',
  '  namespace  = "feeds"',
  '  repository = "https://charts.contoso.example"',
  '  chart      = "feed"',
  '',
  '  values = [',
  '    yamlencode({',
  '      podLabels = {',
  '        aadpodidbinding = "feed-identity"',
  '      }',
  '    })',
  '  ]',
  '}',
  '',
].join('\n');

function stateOf(files: Readonly<Record<string, string>>) {
  const source = memorySource(files);
  return { files: source, scan: renderRepository(source, null) };
}

describe('Terraform source editors', () => {
  it('writes Helm --set names with the dots, commas, equals signs and brackets of a key escaped', () => {
    expect(setName(['podLabels', 'azure.workload.identity/use'])).toBe('podLabels.azure\\.workload\\.identity/use');
    expect(setName(['a,b', 'c=d', 'e[0]'])).toBe('a\\,b.c\\=d.e\\[0\\]');
  });

  it('adds a label to the yamlencode map that holds the release labels first, then offers set_string', () => {
    const state = stateOf({ 'main.tf': release });
    const object = state.scan.objects.find((item) => item.kind === 'HelmRelease');
    if (!object) throw new Error('no release object');
    const made = setPairs(state, object, ['spec', 'values', 'podLabels'], { 'azure.workload.identity/use': 'true' }, 'why');
    expect(made.candidates.map((candidate) => candidate.label)).toEqual(['main.tf:9', 'main.tf:1 (set_string podLabels)']);
    const [first, second] = made.candidates.map((candidate) => candidate.texts.get('main.tf') ?? '');
    expect(first).toContain('        aadpodidbinding = "feed-identity"\n        "azure.workload.identity/use" = "true"\n');
    expect(second).toContain('  set_string {\n    name  = "podLabels.azure\\\\.workload\\\\.identity/use"\n    value = "true"\n  }\n');
    for (const candidate of made.candidates) {
      const text = candidate.texts.get('main.tf') ?? '';
      expect(parseHcl(text).ok).toBe(true);
      const again = renderRepository(withChanges(state.files, candidate.texts), null);
      const values = again.objects.find((item) => item.kind === 'HelmRelease')?.root;
      // A string, as a label must be: not Helm's boolean true.
      expect(toPlain(getIn(values, ['spec', 'values', 'podLabels']))).toEqual({ aadpodidbinding: 'feed-identity', 'azure.workload.identity/use': 'true' });
    }
  });

  it('takes aadpodidbinding out of the yamlencode map, and out of a set block', () => {
    const yaml = stateOf({ 'main.tf': release });
    const object = yaml.scan.objects.find((item) => item.kind === 'HelmRelease');
    if (!object) throw new Error('no release object');
    const fromMap = removeKey(yaml, object, ['spec', 'values', 'podLabels'], 'aadpodidbinding', 'why');
    expect(fromMap.candidates).toHaveLength(1);
    expect(fromMap.candidates[0]?.texts.get('main.tf')).not.toContain('aadpodidbinding');

    const sets = stateOf({ 'main.tf': release.replace(/ {2}values = \[[^]*?\n {2}\]\n/, '  set {\n    name  = "podLabels.aadpodidbinding"\n    value = "feed-identity"\n  }\n') });
    const setObject = sets.scan.objects.find((item) => item.kind === 'HelmRelease');
    if (!setObject) throw new Error('no release object');
    const fromSet = removeKey(sets, setObject, ['spec', 'values', 'podLabels'], 'aadpodidbinding', 'why');
    expect(fromSet.candidates.map((candidate) => candidate.texts.get('main.tf'))).toEqual([
      'resource "helm_release" "feed" {\n  name       = "feed"\n  namespace  = "feeds"\n  repository = "https://charts.contoso.example"\n  chart      = "feed"\n\n}\n',
    ]);
  });

  it('declines, naming the line, a label a dynamic set block writes', () => {
    const state = stateOf({
      'main.tf': [
        'locals {',
        '  sets = { "podLabels.aadpodidbinding" = "feed-identity" }',
        '}',
        'resource "helm_release" "feed" {',
        '  name       = "feed"',
        '  repository = "https://charts.contoso.example"',
        '  chart      = "feed"',
        '  dynamic "set" {',
        '    for_each = local.sets',
        '    content {',
        '      name  = set.key',
        '      value = set.value',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    });
    const object = state.scan.objects.find((item) => item.kind === 'HelmRelease');
    if (!object) throw new Error('no release object');
    const made = removeKey(state, object, ['spec', 'values', 'podLabels'], 'aadpodidbinding', 'why');
    expect(made.candidates).toEqual([]);
    expect(made.declines.join('\n')).toContain('main.tf:2');
  });
});
