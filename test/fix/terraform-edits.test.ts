import { describe, expect, it } from 'vitest';
import { removeKey, setPairs } from '../../src/fix/editors.js';
import { setName } from '../../src/fix/terraform-edits.js';
import { withChanges } from '../../src/k8s/files.js';
import { renderRepository } from '../../src/k8s/read.js';
import { getIn, toPlain } from '../../src/k8s/rendered.js';
import { parseHcl } from '../../src/terraform/hcl-syntax.js';
import { planFix } from '../../src/fix/index.js';
import { analyze } from '../../src/run.js';
import { memorySource } from '../helpers/file-source.js';
import { scanOptionsFor, writeTree } from '../helpers/repo.js';

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

  it('gives a kubernetes_deployment on the default ServiceAccount a kubernetes_service_account of its own, in its file', async () => {
    const workload = [
      'resource "kubernetes_deployment" "worker" {',
      '  metadata {',
      '    name      = "worker"',
      '    namespace = "jobs"',
      '  }',
      '  spec {',
      '    selector {',
      '      match_labels = { app = "worker" }',
      '    }',
      '    template {',
      '      metadata {',
      '        labels = {',
      '          app             = "worker"',
      '          aadpodidbinding = "worker"',
      '        }',
      '      }',
      '      spec {',
      '        container {',
      '          name  = "worker"',
      '          image = "jobsacr.azurecr.io/worker:2.1.0"',
      '        }',
      '      }',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
    const identity = [
      'resource "kubernetes_manifest" "identity" {',
      '  manifest = {',
      '    apiVersion = "aadpodidentity.k8s.io/v1"',
      '    kind       = "AzureIdentity"',
      '    metadata   = { name = "worker", namespace = "jobs" }',
      '    spec = {',
      '      type       = 0',
      '      resourceID = "/subscriptions/5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d/resourceGroups/rg-jobs/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-worker"',
      '      clientID   = "0a1b2c3d-4444-4555-8666-777788889999"',
      '    }',
      '  }',
      '}',
      'resource "kubernetes_manifest" "binding" {',
      '  manifest = {',
      '    apiVersion = "aadpodidentity.k8s.io/v1"',
      '    kind       = "AzureIdentityBinding"',
      '    metadata   = { name = "worker-binding", namespace = "jobs" }',
      '    spec       = { azureIdentity = "worker", selector = "worker" }',
      '  }',
      '}',
      '',
    ].join('\n');
    const dir = writeTree({
      'infra/worker.tf': workload,
      'infra/identity.tf': identity,
      'app/package.json': '{ "name": "worker", "dependencies": { "@azure/identity": "4.4.1" } }\n',
      '.pod2wi.yaml': 'applications:\n  - path: app\n    images: ["jobsacr.azurecr.io/worker"]\n',
    });
    const plan = planFix(await analyze(scanOptionsFor(dir, ['.'])), 'parallel');
    expect(plan.changes.map((change) => change.file)).toEqual(['infra/worker.tf']);
    const after = plan.changes[0]?.after ?? '';
    expect(parseHcl(after).ok).toBe(true);
    expect(after).toContain('      spec {\n        service_account_name = "worker"\n        container {');
    expect(after).toContain([
      '}',
      '',
      'resource "kubernetes_service_account" "worker" {',
      '  metadata {',
      '    name      = "worker"',
      '    namespace = "jobs"',
      '    annotations = {',
      '      "azure.workload.identity/client-id" = "0a1b2c3d-4444-4555-8666-777788889999"',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n'));
    expect(after.endsWith('}\n')).toBe(true);
  });
});
