import { describe, expect, it } from 'vitest';
import { renderRepository } from '../../src/k8s/read.js';
import { getIn, scalarRef, textOf, toPlain } from '../../src/k8s/rendered.js';
import { memorySource } from '../helpers/file-source.js';
import { writeTree } from '../helpers/repo.js';
import { check } from '../check/helpers.js';

/** The Terraform reader as the manifest stage uses it: objects, releases, identities and problems of a repository. */

const chart = {
  'charts/api/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 1.0.0\n',
  'charts/api/values.yaml': 'podLabels: {}\n',
  'charts/api/templates/deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: {{ .Release.Name }}',
    'spec:',
    '  selector:',
    '    matchLabels: {app: api}',
    '  template:',
    '    metadata:',
    '      labels:',
    '        app: api',
    '        {{- with .Values.podLabels }}',
    '        {{- toYaml . | nindent 8 }}',
    '        {{- end }}',
    '    spec:',
    '      containers: [{name: api, image: contoso/api:1}]',
    '',
  ].join('\n'),
};

describe('renderRepository with Terraform', () => {
  it('adds kubernetes_* resources as objects of a terraform unit, with origins in the .tf file', () => {
    const scan = renderRepository(memorySource({
      'infra/main.tf': [
        'resource "kubernetes_deployment" "web" {',
        '  metadata {',
        '    name      = "web"',
        '    namespace = "shop"',
        '  }',
        '  spec {',
        '    selector {',
        '      match_labels = { app = "web" }',
        '    }',
        '    template {',
        '      metadata {',
        '        labels = {',
        '          app             = "web"',
        '          aadpodidbinding = "web-identity"',
        '        }',
        '      }',
        '      spec {',
        '        container {',
        '          name  = "web"',
        '          image = "contoso/web:1"',
        '        }',
        '      }',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    }), null);
    const deployment = scan.objects.find((object) => object.kind === 'Deployment');
    expect(deployment?.unit.kind).toBe('terraform');
    const labels = getIn(deployment?.root, ['spec', 'template', 'metadata', 'labels']);
    expect(toPlain(labels)).toEqual({ app: 'web', aadpodidbinding: 'web-identity' });
    const pair = labels?.kind === 'map' ? labels.pairs.find((item) => item.key === 'aadpodidbinding') : undefined;
    expect(pair?.keyOrigin).toMatchObject({ source: 'terraform', file: 'infra/main.tf', line: 14 });
    expect(scan.terraformFiles).toBe(1);
  });

  it('turns a helm_release of a remote chart whose set blocks give aadpodidbinding into a release workload with chart, version and repository', () => {
    const scan = renderRepository(memorySource({
      'dns.tf': [
        'resource "helm_release" "external_dns" {',
        '  name       = "external-dns"',
        '  namespace  = "networking"',
        '  repository = "https://kubernetes-sigs.github.io/external-dns/"',
        '  chart      = "external-dns"',
        '  version    = "1.13.0"',
        '',
        '  set {',
        '    name  = "podLabels.aadpodidbinding"',
        '    value = "external-dns"',
        '  }',
        '}',
        '',
      ].join('\n'),
    }), null);
    expect(scan.releaseLabels).toHaveLength(1);
    const [entry] = scan.releaseLabels;
    expect(entry?.release).toMatchObject({ chart: 'external-dns', version: '1.13.0', repository: 'https://kubernetes-sigs.github.io/external-dns/', terraform: { address: 'helm_release.external_dns', localChart: null } });
    expect(entry?.release.releaseName.value).toBe('external-dns');
    expect(entry?.release.namespace?.value).toBe('networking');
    expect(entry?.label.keyOrigin).toMatchObject({ file: 'dns.tf', line: 9, path: ['podLabels', 'aadpodidbinding'] });
    expect(textOf(entry?.label.value)).toBe('external-dns');
    expect(scan.problems.map((problem) => problem.id)).toEqual(['helm-release-values-label']);
    // The release's own object is rendered, so a change of its values shows when the fix renders again.
    expect(scan.objects.filter((object) => object.kind === 'HelmRelease').map((object) => textOf(getIn(object.root, ['spec', 'releaseName'])))).toEqual(['external-dns']);
  });

  it('makes one workload of a release whose values name aadpodidbinding twice, from the key under a labels map', () => {
    const scan = renderRepository(memorySource({
      'velero.tf': [
        'resource "helm_release" "velero" {',
        '  name       = "velero"',
        '  namespace  = "velero"',
        '  repository = "https://vmware-tanzu.github.io/helm-charts"',
        '  chart      = "velero"',
        '  set {',
        '    name  = "podAnnotations.aadpodidbinding"',
        '    value = "velero"',
        '  }',
        '  set {',
        '    name  = "podLabels.aadpodidbinding"',
        '    value = "velero"',
        '  }',
        '}',
        '',
      ].join('\n'),
    }), null);
    expect(scan.releaseLabels.map((entry) => entry.label.keyOrigin.path)).toEqual([['podLabels', 'aadpodidbinding']]);
    expect(scan.problems.map((problem) => [problem.id, problem.at.line])).toEqual([['helm-release-values-label', 7], ['helm-release-values-label', 11]]);
  });

  it('renders a chart of the repository that a helm_release installs, with the release values, name and namespace', () => {
    const scan = renderRepository(memorySource({
      ...chart,
      'deploy/main.tf': [
        'resource "helm_release" "api" {',
        '  name      = "orders-api"',
        '  namespace = "orders"',
        '  chart     = "../charts/api"',
        '  values = [yamlencode({',
        '    podLabels = { team = "orders" }',
        '  })]',
        '  set {',
        '    name  = "podLabels.aadpodidbinding"',
        '    value = "orders-api"',
        '  }',
        '}',
        '',
      ].join('\n'),
    }), null);
    const deployments = scan.objects.filter((object) => object.kind === 'Deployment');
    expect(deployments).toHaveLength(1);
    const [deployment] = deployments;
    expect(deployment?.unit).toMatchObject({ kind: 'helm-release', path: 'charts/api', variant: 'deploy/main.tf#helm_release.api', namespace: { value: 'orders' } });
    expect(scalarRef(deployment?.name)?.value).toBe('orders-api');
    const labels = getIn(deployment?.root, ['spec', 'template', 'metadata', 'labels']);
    expect(toPlain(labels)).toEqual({ app: 'api', aadpodidbinding: 'orders-api', team: 'orders' });
    const pair = labels?.kind === 'map' ? labels.pairs.find((item) => item.key === 'aadpodidbinding') : undefined;
    expect(pair?.keyOrigin).toMatchObject({ file: 'deploy/main.tf', line: 9 });
    // Not a release workload: its chart renders its pods.
    expect(scan.releaseLabels).toEqual([]);
    expect(scan.objects.some((object) => object.kind === 'HelmRelease')).toBe(false);
  });

  it('reads the identities a helm_release of the aad-pod-identity chart declares in its values', () => {
    const scan = renderRepository(memorySource({
      'main.tf': [
        'resource "helm_release" "pod_identity" {',
        '  name       = "aad-pod-identity"',
        '  namespace  = "kube-system"',
        '  repository = "https://raw.githubusercontent.com/Azure/aad-pod-identity/master/charts"',
        '  chart      = "aad-pod-identity"',
        '  values = [yamlencode({',
        '    azureIdentities = {',
        '      billing = {',
        '        namespace  = "billing"',
        '        type       = 0',
        '        resourceID = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-billing"',
        '        clientID   = "11111111-2222-3333-4444-555555555555"',
        '        binding    = { name = "billing-binding", selector = "billing" }',
        '      }',
        '    }',
        '  })]',
        '}',
        '',
      ].join('\n'),
    }), null);
    expect(scan.podIdentityChartValues).toHaveLength(1);
    expect(scan.podIdentityChartValues[0]?.namespace).toBe('kube-system');
    expect(Object.keys(toPlain(getIn(scan.podIdentityChartValues[0]?.values, ['azureIdentities'])) as object)).toEqual(['billing']);
    expect(scan.problems.map((problem) => [problem.id, problem.at.file, problem.at.line])).toEqual([['pod-identity-infrastructure', 'main.tf', 1]]);
    expect(scan.releaseLabels).toEqual([]);
  });

  it('leaves out resources whose count makes no instance, keeping their aadpodidbinding as a conditional label', () => {
    const scan = renderRepository(memorySource({
      'main.tf': [
        'variable "enabled" {',
        '  default = false',
        '}',
        'resource "helm_release" "dns" {',
        '  count      = var.enabled ? 1 : 0',
        '  name       = "external-dns"',
        '  repository = "https://kubernetes-sigs.github.io/external-dns/"',
        '  chart      = "external-dns"',
        '  set {',
        '    name  = "podLabels.aadpodidbinding"',
        '    value = "external-dns"',
        '  }',
        '}',
        'resource "kubernetes_pod" "debug" {',
        '  count = 0',
        '  metadata {',
        '    name   = "debug"',
        '    labels = { aadpodidbinding = "debug" }',
        '  }',
        '  spec {',
        '    container {',
        '      name  = "debug"',
        '      image = "busybox"',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    }), null);
    expect(scan.objects).toEqual([]);
    expect(scan.releaseLabels).toEqual([]);
    expect(scan.conditionalLabels.map((label) => [label.at.line, label.value, label.condition])).toEqual([
      [18, 'debug', 'count = 0 (false here)'],
      [10, 'external-dns', 'count = var.enabled ? 1 : 0 (false here)'],
    ]);
  });

  it('reports Terraform problems as findings of the catalogue', () => {
    const scan = renderRepository(memorySource({
      'broken/main.tf': 'resource "helm_release" "x" {\n  name = \n}\n',
      'app/main.tf': 'resource "helm_release" "y" {\n  name  = "y"\n  chart = "y"\n  set {\n    name  = "a..b"\n    value = "1"\n  }\n}\n',
    }), null);
    expect(scan.problems.map((problem) => [problem.id, problem.code, problem.at.file])).toEqual([
      ['terraform-not-read', 'terraform-set-name', 'app/main.tf'],
      ['terraform-parse-error', 'terraform-syntax', 'broken/main.tf'],
    ]);
  });

  it('does not read Terraform that creates nothing in a cluster, nor read a templatefile values file as a manifest', () => {
    const none = renderRepository(memorySource({ 'main.tf': 'resource "azurerm_resource_group" "rg" {\n  name     = "rg"\n  location = "westeurope"\n}\n' }), null);
    expect(none.terraformFiles).toBe(0);
    expect(none.objects).toEqual([]);
    const templated = renderRepository(memorySource({
      'main.tf': 'resource "helm_release" "r" {\n  name  = "r"\n  chart = "r"\n  repository = "https://charts.example"\n  values = [templatefile("values.yaml.tpl", { id = "r-identity" })]\n}\n',
      'values.yaml.tpl': 'podLabels:\n  aadpodidbinding: ${id}\n%{ if false }\nbroken: [\n%{ endif }\n',
    }), null);
    expect(templated.problems.map((problem) => problem.id)).toEqual(['helm-release-values-label']);
    expect(templated.releaseLabels.map((entry) => [entry.label.keyOrigin.file, entry.label.keyOrigin.line, textOf(entry.label.value)])).toEqual([['values.yaml.tpl', 2, 'r-identity']]);
  });
});

describe('check with Terraform', () => {
  it('flags every Terraform form with its file and line: set names, labels maps, manifest objects, a module it cannot parse', () => {
    const dir = writeTree({
      'infra/dns.tf': [
        'resource "helm_release" "external_dns" {',
        '  name       = "external-dns"',
        '  repository = "https://kubernetes-sigs.github.io/external-dns/"',
        '  chart      = "external-dns"',
        '  set {',
        '    name  = "podLabels.aadpodidbinding"',
        '    value = "external-dns"',
        '  }',
        '}',
        '',
        'resource "kubernetes_manifest" "binding" {',
        '  manifest = {',
        '    apiVersion = "aadpodidentity.k8s.io/v1"',
        '    kind       = "AzureIdentityBinding"',
        '    metadata   = { name = "external-dns-binding", namespace = "default" }',
        '    spec       = { azureIdentity = "external-dns", selector = "external-dns" }',
        '  }',
        '}',
        '',
      ].join('\n'),
      // A local chart without templates: nothing renders the label, the release's values still set it.
      'charts/api/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 1.0.0\n',
      'infra/api.tf': 'resource "helm_release" "api" {\n  name  = "api"\n  chart = "../charts/api"\n  set {\n    name  = "podLabels.aadpodidbinding"\n    value = "api"\n  }\n}\n',
      // Not valid HCL: only the text sweep sees it.
      'legacy/main.tf': 'resource "helm_release" "old" {\n  set {\n    name  = "podLabels.aadpodidbinding"\n    value = "old"\n  }\n',
    });
    const run = check(dir);
    const found = run.result.findings.filter((finding) => finding.ruleId === 'aadpodidbinding-label' || finding.ruleId === 'pod-identity-object').map((finding) => `${finding.file}:${finding.line} ${finding.ruleId}`);
    expect(found.sort()).toEqual([
      'infra/api.tf:5 aadpodidbinding-label',
      'infra/dns.tf:11 pod-identity-object',
      'infra/dns.tf:6 aadpodidbinding-label',
      'legacy/main.tf:3 aadpodidbinding-label',
    ].sort());
    expect(run.result.passed).toBe(false);
  });
});
