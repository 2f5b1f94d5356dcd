import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKustomization, findKustomizations, kustomizeRoots, KustomizeMemo, type KustomizeBuild } from '../../src/k8s/kustomize/index.js';
import { getIn, toPlain, type RNode } from '../../src/k8s/rendered.js';
import { objectsOfDocument } from '../../src/k8s/rendered-objects.js';
import { readTree } from '../../src/k8s/yaml-tree.js';
import { directorySource, memorySource } from '../helpers/file-source.js';
import { loadRestrictorOf } from '../../src/k8s/render-adapters.js';
import { expectGolden } from '../helpers/golden.js';
import { describeBuild } from './kustomize-describe.js';

const fixtures = resolve('fixtures/render/kustomize');

function buildAll(name: string): { builds: KustomizeBuild[]; files: ReturnType<typeof directorySource> } {
  const files = directorySource(join(fixtures, name));
  const memo = new KustomizeMemo();
  const roots = kustomizeRoots(files, findKustomizations(files), memo);
  return { builds: roots.map((root) => buildKustomization(files, root, {}, memo)), files };
}

function build(name: string, root: string): { build: KustomizeBuild; files: ReturnType<typeof directorySource> } {
  const { builds, files } = buildAll(name);
  const found = builds.find((b) => b.root === root);
  if (!found) throw new Error(`no build of ${root} in ${name}: ${builds.map((b) => b.root).join(', ')}`);
  return { build: found, files };
}

function object(b: KustomizeBuild, kind: string, name: string) {
  const found = b.objects.find((o) => o.kind === kind && o.name?.kind === 'scalar' && o.name.value === name);
  if (!found) throw new Error(`no ${kind} ${name} in ${b.root}: ${b.objects.map((o) => `${o.kind} ${String(o.name?.kind === 'scalar' ? o.name.value : '?')}`).join(', ')}`);
  return found;
}

function at(node: RNode | null, files: ReturnType<typeof directorySource>): { file: string; line: number; source: string; text: string | null } {
  if (!node) throw new Error('no node');
  const origin = node.origin;
  const text = origin.span ? (files.read(origin.file) ?? '').slice(origin.span[0], origin.span[1]) : null;
  return { file: origin.file, line: origin.line, source: origin.source, text };
}

describe('Kustomize fixtures render to their golden files', () => {
  for (const name of readdirSync(fixtures).sort()) {
    it(name, () => {
      const { builds, files } = buildAll(name);
      expect(builds.length).toBeGreaterThan(0);
      expectGolden(join(fixtures, name, 'expected', 'render.txt'), builds.map((b) => describeBuild(b, files)).join('\n'));
    });
  }
});

describe('origins', () => {
  it('a clientID set by a strategic-merge patch file points at the patch', () => {
    const { build: b, files } = build('aad-identity-overlays', 'overlays/dev/kustomization.yaml');
    const identity = object(b, 'AzureIdentity', 'orders-identity');
    expect(at(getIn(identity.root, ['spec', 'clientID']), files)).toEqual({ file: 'overlays/dev/azure-identity.yaml', line: 7, source: 'kustomize-patch', text: '6a1f3c2e-0b9d-4e57-9c1a-2f8d7e4b5a60' });
    // The type comes from the base file.
    expect(at(getIn(identity.root, ['spec', 'type']), files)).toMatchObject({ file: 'base/azure-identity.yaml', source: 'manifest', text: '0' });
    expect(at(identity.namespace, files)).toEqual({ file: 'overlays/dev/kustomization.yaml', line: 3, source: 'kustomize-namespace', text: 'orders-dev' });
    expect(identity.trail).toEqual({
      kustomizations: ['overlays/dev/kustomization.yaml', 'base/kustomization.yaml'],
      file: 'base/azure-identity.yaml',
      patches: [{ kind: 'strategic-merge', kustomization: 'overlays/dev/kustomization.yaml', file: 'overlays/dev/azure-identity.yaml', at: expect.objectContaining({ file: 'overlays/dev/azure-identity.yaml', line: 1 }) }],
    });
  });

  it('a clientID set by an inline JSON 6902 patch points at the operation value inside kustomization.yaml', () => {
    const { build: b, files } = build('aad-identity-overlays', 'overlays/prod/kustomization.yaml');
    const identity = object(b, 'AzureIdentity', 'orders-identity');
    expect(at(getIn(identity.root, ['spec', 'clientID']), files)).toEqual({ file: 'overlays/prod/kustomization.yaml', line: 17, source: 'kustomize-json6902', text: '9c4e7b21-5d3a-4f80-8e6b-1a2c3d4e5f60' });
    const deployment = object(b, 'Deployment', 'orders-api');
    expect(toPlain(getIn(deployment.root, ['spec', 'replicas']))).toBe(3);
    expect(at(getIn(deployment.root, ['spec', 'replicas']), files)).toMatchObject({ source: 'kustomize-replicas', file: 'overlays/prod/kustomization.yaml' });
    const patched = b.patches.filter((p) => p.kind === 'json6902');
    expect(patched.map((p) => p.matched.map((m) => [m.kind, m.name, m.objects.length]))).toEqual([[['AzureIdentity', 'orders-identity', 1]], [['Deployment', 'orders-api', 1]]]);
  });

  it('a pod-template label added by an overlay patch points at the patch; labels from kustomization entries at the entry', () => {
    const { build: b, files } = build('pod-label-patch', 'overlays/prod/kustomization.yaml');
    const web = object(b, 'Deployment', 'shop-web');
    expect(at(getIn(web.root, ['spec', 'template', 'metadata', 'labels', 'aadpodidbinding']), files)).toEqual({ file: 'overlays/prod/pod-identity.yaml', line: 9, source: 'kustomize-patch', text: 'shop-web-identity' });
    expect(at(getIn(web.root, ['metadata', 'labels', 'app.kubernetes.io/part-of']), files)).toMatchObject({ file: 'base/kustomization.yaml', source: 'kustomize-labels', text: 'shop' });
    // $patch: delete removed the sidecar and the debug ConfigMap.
    expect((toPlain(getIn(web.root, ['spec', 'template', 'spec', 'containers'])) as { name: string }[]).map((c) => c.name)).toEqual(['web']);
    expect(b.objects.some((o) => o.kind === 'ConfigMap')).toBe(false);
  });

  it('targets select by label selector and by regular-expression name', () => {
    const { build: b } = build('pod-label-patch', 'overlays/staging/kustomization.yaml');
    const labels = (name: string, kind = 'Deployment') => toPlain(getIn(object(b, kind, name).root, ['spec', 'template', 'metadata', 'labels']));
    expect(labels('shop-web')).toMatchObject({ aadpodidbinding: 'shop-staging-identity' });
    expect(labels('shop-queue-worker')).not.toHaveProperty('aadpodidbinding');
    const annotations = b.objects.filter((o) => toPlain(getIn(o.root, ['metadata', 'annotations'])) !== null).map((o) => `${o.kind} ${String(o.name?.kind === 'scalar' ? o.name.value : '')}`);
    expect(annotations.sort()).toEqual(['CronJob shop-report-worker', 'Deployment shop-queue-worker']);
  });

  it('a prefixed name keeps its parts, and references follow the rename', () => {
    const { build: b, files } = build('namespace-prefix-sa', 'overlays/eu/kustomization.yaml');
    const sa = object(b, 'ServiceAccount', 'eu-invoices-v2');
    const name = sa.name;
    expect(name?.kind === 'scalar' ? name.parts?.map((p) => ('text' in p ? [p.text, p.origin.file, p.origin.source] : [])) : null).toEqual([
      ['eu-', 'overlays/eu/kustomization.yaml', 'kustomize-name'],
      ['invoices', 'base/service-account.yaml', 'manifest'],
      ['-v2', 'overlays/eu/kustomization.yaml', 'kustomize-name'],
    ]);
    const deployment = object(b, 'Deployment', 'eu-invoices-v2');
    const serviceAccountName = getIn(deployment.root, ['spec', 'template', 'spec', 'serviceAccountName']);
    expect(toPlain(serviceAccountName)).toBe('eu-invoices-v2');
    expect(at(serviceAccountName, files)).toMatchObject({ file: 'base/deployment.yaml', text: null });
    const binding = object(b, 'RoleBinding', 'eu-invoices-reader-v2');
    expect(toPlain(getIn(binding.root, ['subjects']))).toEqual([
      { kind: 'ServiceAccount', name: 'eu-invoices-v2', namespace: 'billing-eu' },
      { kind: 'ServiceAccount', name: 'default', namespace: 'billing-eu' },
    ]);
    expect(b.objects.find((o) => o.kind === 'Namespace')?.name).toMatchObject({ value: 'billing-eu' });
  });

  it('a var that resolves is replaced with its origin; one that does not stays unknown and is reported', () => {
    const resolved = build('vars', 'resolved/kustomization.yaml').build;
    const args = toPlain(getIn(object(resolved, 'Deployment', 'search-client').root, ['spec', 'template', 'spec', 'containers', 0, 'args']));
    expect(args).toEqual(['--endpoint=http://search:9200', '--pod=$(POD_NAME)']);
    expect(toPlain(getIn(object(resolved, 'Deployment', 'search-client').root, ['spec', 'template', 'spec', 'containers', 0, 'env', 0, 'value']))).toBe(9200);
    const unresolved = build('vars', 'unresolved/kustomization.yaml').build;
    expect(unresolved.problems.map((p) => p.code)).toEqual(['var-unresolved']);
    const value = getIn(object(unresolved, 'Deployment', 'reports').root, ['spec', 'template', 'spec', 'containers', 0, 'env', 0, 'value']);
    expect(value?.kind).toBe('unknown');
    expect(value?.kind === 'unknown' ? value.parts.map((p) => ('unknown' in p ? p.unknown.expression : p.text)) : null).toEqual(['$(IDENTITY_CLIENT_ID)']);
  });

  it('a base reached through a diamond is built once and appears once per path', () => {
    const { builds } = buildAll('diamond');
    const app = builds.find((b) => b.root === 'app/kustomization.yaml');
    expect(app?.objects.map((o) => `${o.kind} ${String(o.name?.kind === 'scalar' ? o.name.value : '')}`)).toEqual(['ServiceAccount left-shared', 'ServiceAccount right-shared']);
    const conflict = builds.find((b) => b.root === 'conflict/kustomization.yaml');
    expect(conflict?.objects).toHaveLength(1);
    expect(conflict?.problems.map((p) => p.code)).toEqual(['duplicate-resource']);
  });

  it('reports cycles, self-inclusion, remote and missing resources instead of rendering nothing', () => {
    const { builds } = buildAll('broken');
    const codes = Object.fromEntries(builds.map((b) => [b.root, [...new Set(b.problems.map((p) => p.code))].sort()]));
    expect(codes).toEqual({
      'mutual-a/kustomization.yaml': ['cycle'],
      'mutual-b/kustomization.yaml': ['cycle'],
      'patch-no-match/kustomization.yaml': ['patch-no-match'],
      'remote/kustomization.yaml': ['missing-resource', 'outside-root', 'remote-resource'],
      'self/kustomization.yaml': ['cycle'],
    });
    expect(builds.find((b) => b.root === 'self/kustomization.yaml')?.objects.map((o) => o.kind)).toEqual(['ConfigMap']);
    const patched = builds.find((b) => b.root === 'patch-no-match/kustomization.yaml');
    expect(toPlain(patched?.objects[0]?.root ?? null)).toMatchObject({ data: { kept: '1', added: 'yes' } });
  });

  it('records the closure of files read', () => {
    const { build: b } = build('generators', 'overlays/prod/kustomization.yaml');
    expect(b.files).toEqual(['base/deployment.yaml', 'base/kustomization.yaml', 'base/mailer.env', 'base/templates/welcome.txt', 'overlays/prod/kustomization.yaml']);
  });
});

describe('helmCharts', () => {
  const files = memorySource({
    'kustomization.yaml': 'namespace: web\nhelmCharts:\n  - name: podinfo\n    repo: https://stefanprodan.github.io/podinfo\n    version: 6.5.0\n    releaseName: front\n    valuesInline:\n      replicaCount: 2\n',
  });

  it('renders a chart through the caller, then applies the kustomization to its objects', () => {
    const seen: string[] = [];
    const b = buildKustomization(files, 'kustomization.yaml', {
      renderHelmChart: (entry, kustomization) => {
        seen.push(`${kustomization}: ${entry.name} ${entry.version} ${entry.releaseName} ${JSON.stringify(toPlain(entry.valuesInline))}`);
        const doc = readTree('charts/podinfo/templates/sa.yaml', 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: front-podinfo\n', { source: 'chart-template' }).documents[0];
        return { objects: doc ? objectsOfDocument(doc, { kind: 'chart', path: 'charts/podinfo', variant: '', label: 'podinfo' }) : [], problems: [] };
      },
    });
    expect(seen).toEqual(['kustomization.yaml: podinfo 6.5.0 front {"replicaCount":2}']);
    expect(b.objects.map((o) => [o.kind, toPlain(o.root)])).toEqual([['ServiceAccount', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'front-podinfo', namespace: 'web' } }]]);
    expect(b.objects[0]?.name?.origin).toMatchObject({ file: 'charts/podinfo/templates/sa.yaml', source: 'chart-template' });
    expect(b.problems).toEqual([]);
  });

  it('reports a chart the caller cannot render', () => {
    const b = buildKustomization(files, 'kustomization.yaml', { renderHelmChart: () => null });
    expect(b.problems.map((p) => [p.code, p.at.file, p.at.line])).toEqual([['helm-chart-not-rendered', 'kustomization.yaml', 3]]);
  });
});

describe('the load restrictor', () => {
  const files = memorySource({
    'templates/flavor/kustomization.yaml': 'resources:\n  - ../shared/identity.yaml\n',
    'templates/shared/identity.yaml': 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: manager\n',
  });

  it('refuses a file outside the kustomization folder by default, as kustomize does', () => {
    const built = buildKustomization(files, 'templates/flavor/kustomization.yaml', {}, new KustomizeMemo());
    expect(built.objects).toHaveLength(0);
    expect(built.problems.map((p) => p.code)).toContain('outside-root');
  });

  it('loads it with LoadRestrictionsNone, which the repository build asks for', () => {
    const built = buildKustomization(files, 'templates/flavor/kustomization.yaml', { loadRestrictor: 'LoadRestrictionsNone' }, new KustomizeMemo());
    expect(built.objects.map((o) => o.kind)).toEqual(['ServiceAccount']);
    expect(built.problems).toEqual([]);
  });

  it('is LoadRestrictionsNone when a make file or script passes the flag', () => {
    expect(loadRestrictorOf(files)).toBe('LoadRestrictionsRootOnly');
    const withMake = memorySource({ Makefile: 'templates:\n\t$(KUSTOMIZE) build templates/flavor --load-restrictor LoadRestrictionsNone > out.yaml\n' });
    expect(loadRestrictorOf(withMake)).toBe('LoadRestrictionsNone');
    const inDocs = memorySource({ 'docs/notes.md': 'kustomize build --load-restrictor LoadRestrictionsNone\n' });
    expect(loadRestrictorOf(inDocs)).toBe('LoadRestrictionsRootOnly');
  });
});
