import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { buildKustomization } from '../../src/k8s/kustomize/index.js';
import { strategicMerge } from '../../src/k8s/kustomize/smp.js';
import { toPlain, type RMap } from '../../src/k8s/rendered.js';
import { readTree } from '../../src/k8s/yaml-tree.js';
import { directorySource, memorySource } from '../helpers/file-source.js';
import { tempDir } from '../helpers/repo.js';

/**
 * Strategic-merge patches: directed cases for each rule, and random patches over random Deployments and custom
 * resources compared with kubectl kustomize, batched into one kustomization per run. Reproduce a failure with
 * KUSTOMIZE_PROPERTY_SEED=<seed>; KUSTOMIZE_PROPERTY_RUNS scales the sample.
 */

const seed = process.env.KUSTOMIZE_PROPERTY_SEED ? Number(process.env.KUSTOMIZE_PROPERTY_SEED) : process.env.CI ? 20261204 : Math.floor(Math.random() * 2 ** 31);
const runs = Number(process.env.KUSTOMIZE_PROPERTY_RUNS ?? 120);
const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const haveKubectl = kubectl.status === 0 && /Kustomize Version: v5\./.test(kubectl.stdout);

function tree(text: string): RMap {
  const node = readTree('x.yaml', text, { source: 'manifest' }).documents[0]?.node;
  if (node?.kind !== 'map') throw new Error('not a map');
  return node;
}

function merge(target: string, patch: string): unknown {
  const result = strategicMerge(tree(target), tree(patch));
  return result.root ? toPlain(result.root) : null;
}

describe('strategic merge, directed', () => {
  const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {a: "1", b: "2"}}
spec:
  template:
    spec:
      containers:
        - {name: app, image: app:1, env: [{name: X, value: "1"}, {name: Y, value: "2"}], ports: [{containerPort: 80}]}
        - {name: side, image: side:1}
      volumes: [{name: v, emptyDir: {}}]
      tolerations: [{key: k1}]
`;

  it('merges containers and env by name, the patch first, and replaces lists without a merge key', () => {
    const out = merge(deployment, `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - {name: new, image: new:1}
        - {name: app, env: [{name: Z, value: "3"}, {name: X, value: "9"}]}
      tolerations: [{key: k2}]
`) as { spec: { template: { spec: { containers: { name: string; env?: unknown }[]; tolerations: unknown } } } };
    const spec = out.spec.template.spec;
    expect(spec.containers.map((c) => c.name)).toEqual(['new', 'app', 'side']);
    expect(spec.containers[1]?.env).toEqual([{ name: 'Z', value: '3' }, { name: 'X', value: '9' }, { name: 'Y', value: '2' }]);
    expect(spec.tolerations).toEqual([{ key: 'k2' }]);
  });

  it('deletes with $patch: delete and null, replaces with $patch: replace', () => {
    const out = merge(deployment, `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {a: null, $patch: replace, c: "3"}
spec:
  template:
    spec:
      containers:
        - {name: side, $patch: delete}
`) as { metadata: { labels: unknown }; spec: { template: { spec: { containers: { name: string }[] } } } };
    expect(out.metadata.labels).toEqual({ c: '3' });
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(['app']);
    expect(merge(deployment, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n$patch: delete\n')).toBeNull();
  });

  it('replaces the lists of custom resources and keeps kustomize-only directives as fields', () => {
    const out = merge('apiVersion: x.io/v1\nkind: Widget\nmetadata: {name: w}\nspec: {items: [{name: a, v: 1}, {name: b}]}\n', 'apiVersion: x.io/v1\nkind: Widget\nmetadata: {name: w}\nspec: {items: [{name: a, w: 2}]}\n');
    expect(out).toEqual({ apiVersion: 'x.io/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { items: [{ name: 'a', w: 2 }] } });
    const result = strategicMerge(tree(deployment), tree('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {template: {spec: {$setElementOrder/containers: [{name: side}, {name: app}]}}}\n'));
    expect(result.directives).toEqual(['$setElementOrder/containers']);
  });

  it('keeps the patch origin on what the patch set and the target origin elsewhere', () => {
    const target = readTree('base.yaml', deployment, { source: 'manifest' }).documents[0]?.node as RMap;
    const patch = readTree('patch.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, labels: {a: "9"}}\n', { source: 'kustomize-patch' }).documents[0]?.node as RMap;
    const root = strategicMerge(target, patch).root;
    const labels = root?.pairs.find((p) => p.key === 'metadata')?.value;
    const a = labels?.kind === 'map' ? labels.pairs.find((p) => p.key === 'labels')?.value : null;
    const pairs = a?.kind === 'map' ? a.pairs : [];
    expect(pairs.map((p) => [p.key, p.value.origin.file, p.value.origin.source])).toEqual([
      ['a', 'patch.yaml', 'kustomize-patch'],
      ['b', 'base.yaml', 'manifest'],
    ]);
    // Untouched subtrees are shared, not copied.
    expect(root?.pairs.find((p) => p.key === 'spec')?.value).toBe(target.pairs.find((p) => p.key === 'spec')?.value);
  });
});

// --- random cases -------------------------------------------------------------------------------------------

const word = fc.constantFrom('alpha', 'beta', 'gamma', 'delta');
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const uniqueBy = <T>(arb: fc.Arbitrary<T>, key: (item: T) => string, max: number) => fc.uniqueArray(arb, { selector: key, maxLength: max });

interface Port {
  containerPort: number;
  protocol?: string;
  name?: string;
}

const port = fc.record({ containerPort: fc.constantFrom(80, 443, 8080), protocol: maybe(fc.constantFrom('TCP', 'UDP')), name: maybe(word) }, { requiredKeys: ['containerPort'] });
const env = fc.record({ name: fc.constantFrom('A', 'B', 'C'), value: maybe(word) }, { requiredKeys: ['name'] });

function container(forPatch: boolean) {
  return fc.record(
    {
      name: fc.constantFrom('app', 'side', 'init'),
      image: maybe(word.map((w) => `${w}:1`)),
      args: maybe(fc.array(word, { maxLength: 3 })),
      env: maybe(uniqueBy(forPatch ? fc.oneof(env, fc.record({ name: fc.constantFrom('A', 'B', 'C'), $patch: fc.constant('delete') })) : env, (e) => e.name, 3)),
      ports: maybe(uniqueBy(port, (p: Port) => `${p.containerPort}/${p.protocol ?? ''}`, 3)),
      volumeMounts: maybe(uniqueBy(fc.record({ mountPath: fc.constantFrom('/a', '/b'), name: word }), (m) => m.mountPath, 2)),
      $patch: forPatch ? maybe(fc.constantFrom('delete', 'replace')) : fc.constant(undefined),
    },
    { requiredKeys: ['name'] },
  );
}

function deployment(name: string, forPatch: boolean) {
  const labels = fc.dictionary(fc.constantFrom('app', 'tier', 'team'), forPatch ? fc.option(word, { nil: null }) : word, { maxKeys: 3 });
  return fc.record(
    {
      labels: maybe(labels),
      replicas: maybe(fc.integer({ min: 0, max: 5 })),
      finalizers: maybe(fc.uniqueArray(fc.constantFrom('f1', 'f2', 'f3'), { maxLength: 3 })),
      podLabels: maybe(labels),
      containers: maybe(uniqueBy(container(forPatch), (c) => c.name, 3)),
      volumes: maybe(uniqueBy(fc.record({ name: fc.constantFrom('v1', 'v2'), source: fc.constantFrom('emptyDir', 'configMap') }), (v) => v.name, 2)),
      tolerations: maybe(fc.array(fc.record({ key: word }), { maxLength: 2 })),
      replaceLabels: forPatch ? fc.boolean() : fc.constant(false),
    },
    { requiredKeys: [] },
  ).map((d) => {
    const clean = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
    const podSpec = clean({
      containers: d.containers?.map((c) => clean(c)),
      volumes: d.volumes?.map((v) => ({ name: v.name, ...(v.source === 'emptyDir' ? { emptyDir: {} } : { configMap: { name: `${v.name}-cm` } }) })),
      tolerations: d.tolerations,
    });
    const metadataLabels = d.labels && d.replaceLabels ? { ...d.labels, $patch: 'replace' } : d.labels;
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: clean({ name, labels: metadataLabels, finalizers: d.finalizers }),
      spec: clean({ replicas: d.replicas, template: clean({ metadata: d.podLabels ? { labels: d.podLabels } : undefined, spec: Object.keys(podSpec).length ? podSpec : undefined }) }),
    };
  });
}

function widget(name: string, forPatch: boolean) {
  return fc.record({
    items: maybe(fc.array(fc.record({ name: word, size: fc.integer({ min: 0, max: 3 }) }), { maxLength: 3 })),
    settings: maybe(fc.dictionary(fc.constantFrom('x', 'y', 'z'), forPatch ? fc.option(word, { nil: null }) : word, { maxKeys: 3 })),
  }).map((w) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name }, spec: Object.fromEntries(Object.entries(w).filter(([, v]) => v !== undefined)) }));
}

const cases = (count: number) =>
  fc.sample(
    fc.array(fc.boolean(), { minLength: count, maxLength: count }).chain((kinds) =>
      fc.tuple(...kinds.map((isWidget, i) => (isWidget ? fc.tuple(widget(`o${i}`, false), widget(`o${i}`, true)) : fc.tuple(deployment(`o${i}`, false), deployment(`o${i}`, true))))),
    ),
    { numRuns: 1, seed },
  )[0] ?? [];

describe.runIf(haveKubectl)('strategic merge, random patches against kubectl', () => {
  it(`agrees with kubectl kustomize on ${runs} random patches (seed ${seed})`, () => {
    const pairs = cases(runs);
    const dir = tempDir();
    mkdirSync(join(dir, 'patches'));
    writeFileSync(join(dir, 'resources.yaml'), pairs.map(([base]) => stringify(base)).join('---\n'));
    pairs.forEach(([, patch], i) => writeFileSync(join(dir, 'patches', `p${i}.yaml`), stringify(patch)));
    writeFileSync(join(dir, 'kustomization.yaml'), stringify({ resources: ['resources.yaml'], patches: pairs.map((_, i) => ({ path: `patches/p${i}.yaml` })), sortOptions: { order: 'fifo' } }));
    const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(result.stderr.split('\n').filter((line) => line.includes('failed')).join('\n'), `seed ${seed}`).toBe('');
    const theirs = parseAllDocuments(result.stdout).map((doc) => doc.toJS() as { metadata: { name: string } });
    const build = buildKustomization(directorySource(dir), 'kustomization.yaml');
    expect(build.problems.filter((p) => p.code !== 'smp-directive-kept'), `seed ${seed}`).toEqual([]);
    const mine = build.objects.map((object) => toPlain(object.root));
    const canonical = (value: unknown) => JSON.stringify(value, (_k, item: unknown) => (item && typeof item === 'object' && !Array.isArray(item) ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : item));
    const byName = (list: unknown[]) => new Map(list.map((item) => [(item as { metadata: { name: string } }).metadata.name, canonical(item)]));
    const expected = byName(theirs);
    const actual = byName(mine);
    const differences = pairs.flatMap(([base, patch], i) => {
      const name = `o${i}`;
      const a = actual.get(name) ?? null;
      const b = expected.get(name) ?? null;
      return a === b ? [] : [{ name, base, patch, kubectl: b, inProcess: a }];
    });
    const shown = differences.slice(0, 2).map((d) => `\n${d.name}\n  base:       ${JSON.stringify(d.base)}\n  patch:      ${JSON.stringify(d.patch)}\n  kubectl:    ${d.kubectl}\n  in process: ${d.inProcess}`);
    expect(differences.length, `seed ${seed}: ${differences.length} differences${shown.join('')}`).toBe(0);
    expect([...actual.keys()]).toEqual([...expected.keys()]);
  });
});

describe('strategic merge never throws on arbitrary trees', () => {
  const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    node: fc.oneof({ maxDepth: 4 }, fc.constantFrom(null, 'a', 1, true, 'delete', 'replace', 'merge'), fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('name', '$patch', 'containers', 'env', 'x', 'ports', 'containerPort'), tie('node'), { maxKeys: 4 })),
  })).node;
  it('returns a result or a MergeError', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        const text = (v: unknown) => stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { template: { spec: v } } });
        try {
          strategicMerge(tree(text(a)), tree(text(b)));
        } catch (error) {
          expect((error as Error).constructor.name).toBe('MergeError');
        }
        const files = memorySource({ 'kustomization.yaml': 'resources: [r.yaml]\npatches: [{path: p.yaml}]\n', 'r.yaml': text(a), 'p.yaml': text(b) });
        expect(() => buildKustomization(files, 'kustomization.yaml')).not.toThrow();
      }),
      { numRuns: 300, seed },
    );
  });
});
