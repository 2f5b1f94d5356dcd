import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildKustomization, findKustomizations, kustomizeProblemCodes, kustomizeRoots, KustomizeMemo } from '../../src/k8s/kustomize/index.js';
import { curId, effectiveNamespace } from '../../src/k8s/kustomize/resource.js';
import { memorySource } from '../helpers/file-source.js';

/**
 * Hostile kustomization graphs: diamonds (each level includes two folders that include the level below), cycles,
 * self-inclusion, deep chains, object bombs. Every build finishes, reports what kustomize would refuse, memoises each
 * kustomization once and renders each object once per overlay. Reproduce with KUSTOMIZE_PROPERTY_SEED=<seed>.
 */

const seed = process.env.KUSTOMIZE_PROPERTY_SEED ? Number(process.env.KUSTOMIZE_PROPERTY_SEED) : process.env.CI ? 20261204 : undefined;
const withSeed = seed === undefined ? {} : { seed };

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  k: v\n`;

/** A diamond of `depth` levels: level i includes a/ and b/, both including level i-1. `prefix` renames per branch. */
function diamond(depth: number, prefix: boolean): Record<string, string> {
  const files: Record<string, string> = {
    'level0/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
    'level0/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    metadata:\n      labels:\n        aadpodidbinding: app\n',
  };
  for (let i = 1; i <= depth; i++) {
    files[`level${i}/kustomization.yaml`] = 'resources:\n  - a\n  - b\n';
    files[`level${i}/a/kustomization.yaml`] = `${prefix ? 'namePrefix: a-\n' : ''}resources:\n  - ../../level${i - 1}\n`;
    files[`level${i}/b/kustomization.yaml`] = `${prefix ? 'namePrefix: b-\n' : ''}resources:\n  - ../../level${i - 1}\n`;
  }
  return files;
}

describe('diamonds', () => {
  it('a 16-level diamond builds every kustomization once and renders its object once', () => {
    const files = memorySource(diamond(16, false));
    const memo = new KustomizeMemo();
    const roots = kustomizeRoots(files, findKustomizations(files), memo);
    expect(roots).toEqual(['level16/kustomization.yaml']);
    const build = buildKustomization(files, 'level16/kustomization.yaml', {}, memo);
    expect(build.objects.map((o) => `${o.kind} ${String(o.name?.kind === 'scalar' ? o.name.value : '')}`)).toEqual(['Deployment app']);
    expect(memo.accumulations.size).toBe(1 + 16 * 3);
    // kustomize refuses the second copy of each level: one problem per level, not 2^16.
    expect(build.problems.map((p) => p.code)).toEqual(Array.from({ length: 16 }, () => 'duplicate-resource'));
  });

  it('a diamond whose branches rename renders one object per path, bounded by the object limit', () => {
    const files = memorySource(diamond(6, true));
    const build = buildKustomization(files, 'level6/kustomization.yaml');
    expect(build.objects).toHaveLength(2 ** 6);
    expect(new Set(build.objects.map((o) => String(o.name?.kind === 'scalar' ? o.name.value : ''))).size).toBe(2 ** 6);
    expect(build.problems).toEqual([]);
    const big = buildKustomization(memorySource(diamond(16, true)), 'level16/kustomization.yaml', { limits: { maxObjects: 1000 } });
    expect(big.objects.length).toBeLessThanOrEqual(1000);
    expect(big.problems.some((p) => p.code === 'limit-exceeded')).toBe(true);
  });

  it('a base used by many overlays is read once and listed once per overlay', () => {
    const files: Record<string, string> = { 'base/kustomization.yaml': 'resources: [cm.yaml]\n', 'base/cm.yaml': configMap('settings') };
    for (let i = 0; i < 20; i++) files[`overlays/o${i}/kustomization.yaml`] = `namespace: ns${i}\nresources: [../../base]\n`;
    const source = memorySource(files);
    const memo = new KustomizeMemo();
    const roots = kustomizeRoots(source, findKustomizations(source), memo);
    expect(roots).toHaveLength(20);
    const builds = roots.map((root) => buildKustomization(source, root, {}, memo));
    expect(builds.map((b) => b.objects.length)).toEqual(Array.from({ length: 20 }, () => 1));
    expect(new Set(builds.map((b) => b.objects[0]?.namespace?.kind === 'scalar' ? b.objects[0].namespace.value : '')).size).toBe(20);
    expect(memo.accumulations.size).toBe(21);
  });
});

describe('cycles', () => {
  it('a kustomization that includes itself, or two that include each other, are roots with a cycle problem', () => {
    const files = memorySource({
      'self/kustomization.yaml': 'resources:\n  - .\n  - cm.yaml\n',
      'self/cm.yaml': configMap('self'),
      'a/kustomization.yaml': 'resources:\n  - ../b\n  - cm.yaml\n',
      'a/cm.yaml': configMap('a'),
      'b/kustomization.yaml': 'resources:\n  - ../a\n',
      'parent/kustomization.yaml': 'resources:\n  - child\n',
      'parent/child/kustomization.yaml': 'resources:\n  - ..\n',
    });
    const memo = new KustomizeMemo();
    const roots = kustomizeRoots(files, findKustomizations(files), memo);
    expect(roots).toEqual(['a/kustomization.yaml', 'b/kustomization.yaml', 'parent/child/kustomization.yaml', 'parent/kustomization.yaml', 'self/kustomization.yaml']);
    for (const root of roots) {
      const build = buildKustomization(files, root, {}, memo);
      expect(build.problems.map((p) => p.code), root).toContain('cycle');
      expect(build.problems.find((p) => p.code === 'cycle')?.at.file, root).toMatch(/kustomization\.yaml$/);
    }
    expect(buildKustomization(files, 'self/kustomization.yaml', {}, memo).objects).toHaveLength(1);
  });

  it('a chain deeper than the depth limit stops with a problem', () => {
    const files: Record<string, string> = { 'k0/kustomization.yaml': 'resources: [cm.yaml]\n', 'k0/cm.yaml': configMap('deep') };
    for (let i = 1; i <= 200; i++) files[`k${i}/kustomization.yaml`] = `resources: [../k${i - 1}]\n`;
    const build = buildKustomization(memorySource(files), 'k200/kustomization.yaml');
    expect(build.objects).toHaveLength(0);
    expect(build.problems.map((p) => p.code)).toContain('limit-exceeded');
  });
});

describe('fuzz', () => {
  const codes = new Set(Object.keys(kustomizeProblemCodes));

  it('random kustomization graphs (cycles, self-inclusion, missing folders) build without exceptions', () => {
    const graph = fc.array(
      fc.record({
        dir: fc.constantFrom('a', 'b', 'c', 'a/x', 'a/x/y', 'b/z'),
        includes: fc.array(fc.constantFrom('../a', '../b', '../c', '.', '..', 'x', '../../a', '../../b', 'missing', '../z', 'y'), { maxLength: 3 }),
        prefix: fc.option(fc.constantFrom('p-', 'q-'), { nil: undefined }),
        namespace: fc.option(fc.constantFrom('ns1', 'ns2'), { nil: undefined }),
        component: fc.boolean(),
      }),
      { maxLength: 6 },
    );
    fc.assert(
      fc.property(graph, (nodes) => {
        const files: Record<string, string> = {};
        for (const node of nodes) {
          const kind = node.component ? 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n' : '';
          const key = node.component ? 'components' : 'resources';
          files[`${node.dir}/kustomization.yaml`] = `${kind}${node.prefix ? `namePrefix: ${node.prefix}\n` : ''}${node.namespace ? `namespace: ${node.namespace}\n` : ''}${key}:\n${[...node.includes, 'cm.yaml'].map((i) => `  - ${i}\n`).join('')}`;
          files[`${node.dir}/cm.yaml`] = configMap(node.dir.replace(/\//g, '-'));
        }
        const source = memorySource(files);
        const memo = new KustomizeMemo();
        for (const root of kustomizeRoots(source, findKustomizations(source), memo)) {
          const build = buildKustomization(source, root, {}, memo);
          for (const p of build.problems) expect(codes.has(p.code), p.code).toBe(true);
          const ids = build.objects.map((o) => {
            const id = curId(o.root);
            return `${id.kind}/${effectiveNamespace(id)}/${id.name}`;
          });
          expect(new Set(ids).size).toBe(ids.length);
        }
      }),
      { numRuns: 300, ...withSeed },
    );
  });

  it('random kustomization text never throws', () => {
    const fieldValue = fc.oneof(fc.constantFrom('x', '1', 'true', 'null', '[]', '{}', '[a, b]', '{a: b}', '"$(X)"', '"${X}"', '../..', 'https://x.io/y?ref=z'), fc.string({ maxLength: 12 }));
    const fields = fc.dictionary(
      fc.constantFrom('resources', 'bases', 'components', 'patches', 'patchesStrategicMerge', 'patchesJson6902', 'namespace', 'namePrefix', 'labels', 'commonLabels', 'images', 'replicas', 'replacements', 'vars', 'configMapGenerator', 'secretGenerator', 'helmCharts', 'kind', 'apiVersion', 'sortOptions', 'generators'),
      fieldValue,
      { maxKeys: 6 },
    );
    fc.assert(
      fc.property(fields, (entries) => {
        const text = Object.entries(entries).map(([key, value]) => `${key}: ${value}\n`).join('');
        const source = memorySource({ 'kustomization.yaml': text, 'cm.yaml': configMap('cm') });
        const build = buildKustomization(source, 'kustomization.yaml');
        expect(build.problems.every((p) => p.code !== 'internal-error'), JSON.stringify(build.problems)).toBe(true);
      }),
      { numRuns: 500, ...withSeed },
    );
  });
});
