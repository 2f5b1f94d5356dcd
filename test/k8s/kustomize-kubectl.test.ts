import { execFile, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { buildKustomization, findKustomizations, kustomizeRoots, KustomizeMemo, type KustomizeBuild } from '../../src/k8s/kustomize/index.js';
import { toPlain } from '../../src/k8s/rendered.js';
import { directorySource } from '../helpers/file-source.js';

/**
 * Differential test against the real Kustomize (5.5, built into kubectl): every kustomization root under fixtures/ is
 * rendered in process and by `kubectl kustomize`, and the objects must be the same plain data in the same order.
 * Where kubectl fails (a missing resource, a cycle, ...), the in-process build must report a problem of the kind
 * kustomize stops on; where kubectl succeeds, it must not.
 */

const run = promisify(execFile);
const fixtures = resolve('fixtures');
const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const available = kubectl.status === 0 && /Kustomize Version: v5\./.test(kubectl.stdout);

/** Problems that mean `kustomize build` itself stops. */
const fatal = new Set([
  'kustomization-parse', 'invalid-kustomization', 'ambiguous-kustomization', 'missing-resource', 'remote-resource', 'outside-root', 'outside-repository', 'cycle',
  'component-kind', 'resource-parse', 'invalid-resource', 'duplicate-resource', 'patch-parse', 'patch-no-match', 'patch-failed', 'field-type', 'namespace-conflict',
  'replacement-failed', 'var-unresolved', 'var-conflict', 'nameref-ambiguous', 'generator-failed', 'invalid-regex', 'invalid-selector', 'limit-exceeded', 'internal-error',
]);

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item) ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : item,
  );
}

async function kustomize(dir: string): Promise<{ objects: string[] } | { error: string }> {
  try {
    const { stdout } = await run('kubectl', ['kustomize', dir], { timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
    return { objects: parseAllDocuments(stdout).map((doc) => canonical(doc.toJS())) };
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    return { error: stderr.trim().split('\n').slice(-1)[0] ?? 'failed' };
  }
}

function compare(build: KustomizeBuild, result: Awaited<ReturnType<typeof kustomize>>): string | null {
  const codes = build.problems.map((p) => p.code);
  if ('error' in result) {
    return codes.some((code) => fatal.has(code)) ? null : `${build.root}: kubectl fails (${result.error}) but the build reports no such problem (${codes.join(', ') || 'none'})`;
  }
  const stops = build.problems.filter((p) => fatal.has(p.code));
  if (stops.length > 0) return `${build.root}: kubectl succeeds but the build reports ${stops.map((p) => `${p.code}: ${p.message}`).join('; ')}`;
  const mine = build.objects.map((object) => canonical(toPlain(object.root)));
  if (mine.length !== result.objects.length) return `${build.root}: ${mine.length} objects in process, ${result.objects.length} from kubectl`;
  for (let i = 0; i < mine.length; i++) {
    if (mine[i] !== result.objects[i]) return `${build.root}: object ${i} differs\n  in process: ${mine[i]}\n  kubectl:    ${result.objects[i]}`;
  }
  return null;
}

describe('Kustomize builds match kubectl kustomize (Kustomize 5.5)', () => {
  if (!available) {
    const message = 'kubectl with Kustomize 5 is not available: the Kustomize differential test cannot run';
    console.error(`\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n!!! ${message}\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n`);
    it.runIf(process.env.CI === 'true')('needs kubectl in CI', () => {
      expect.fail(message);
    });
    it.skipIf(process.env.CI === 'true')('skipped: kubectl is missing', () => {});
    return;
  }

  it('renders every kustomization root under fixtures/ as kubectl does', async () => {
    const files = directorySource(fixtures);
    const memo = new KustomizeMemo();
    const roots = kustomizeRoots(files, findKustomizations(files), memo);
    expect(roots.length).toBeGreaterThanOrEqual(25);
    const failures: string[] = [];
    let index = 0;
    const worker = async () => {
      while (index < roots.length) {
        const root = roots[index++] as string;
        const build = buildKustomization(files, root, {}, memo);
        const dir = join(fixtures, root.slice(0, root.lastIndexOf('/') + 1) || '.');
        const failure = compare(build, await kustomize(dir));
        if (failure) failures.push(failure);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(failures.sort()).toEqual([]);
  });
});
