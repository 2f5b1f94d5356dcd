import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { evaluate, githubFunctions, interpolate, interpolateDeep, type Context } from '../helpers/ci-expressions.js';
import { ArtifactStore, builtCli, listFiles, mapLimited, namePattern, pod2wiCommand, readGithubOutput, repositoryRoot, runBash } from '../helpers/ci-runner.js';
import { expectGolden } from '../helpers/golden.js';
import { tempDir } from '../helpers/repo.js';
import { validateFleetReport } from '../helpers/schema.js';

/**
 * Runs ci/github/pod2wi-fleet.yml locally, job by job, as GitHub Actions would: the list job's script reads the
 * fixture list (fixtures/fleet/repositories.txt) and its output expands the scan job's matrix; each matrix entry checks
 * out its fixture repository, runs the scan step's script with the built CLI and uploads its report; the merge job
 * downloads the artifacts and runs its script. The actions (checkout, setup-node, upload- and download-artifact) are
 * played by the test from their `with:` inputs; every `run:` script runs in bash as written.
 */
const fleet = join(repositoryRoot, 'fixtures', 'fleet');
const expected = join(fleet, 'expected');

interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly shell?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
  readonly 'working-directory'?: string;
}
interface Job {
  readonly name?: string;
  readonly needs?: string | string[];
  readonly if?: string;
  readonly outputs?: Record<string, string>;
  readonly strategy?: { readonly matrix: unknown; readonly 'fail-fast'?: boolean };
  readonly steps: readonly Step[];
}
interface Workflow {
  readonly env: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

interface JobRun {
  readonly result: 'success' | 'failure';
  readonly outputs: Record<string, string>;
  readonly log: string;
  readonly summary: string;
}

/** The repository the workflow lives in: it holds the list where the workflow's env says. */
function homeRepository(listPath: string): string {
  const home = tempDir('pod2wi-home-');
  cpSync(join(fleet, 'repositories.txt'), join(home, listPath));
  return home;
}

async function runJob(job: Job, base: { workflowEnv: Record<string, string>; home: string; artifacts: ArtifactStore; matrix?: Record<string, unknown>; needs?: Record<string, unknown> }): Promise<JobRun> {
  const workspace = tempDir('pod2wi-workspace-');
  const runnerTemp = tempDir('pod2wi-runner-');
  const summaryFile = join(runnerTemp, 'step-summary.md');
  writeFileSync(summaryFile, '');
  let failed = false;
  let log = '';
  const steps: Record<string, { outputs: Record<string, string> }> = {};
  const functions = { ...githubFunctions, success: () => !failed, failure: () => failed };
  const context = (): Context => ({
    env: base.workflowEnv,
    matrix: base.matrix ?? {},
    needs: base.needs ?? {},
    secrets: {},
    github: { token: 'github-token', workspace },
    runner: { temp: runnerTemp },
    steps,
  });
  for (const [index, step] of job.steps.entries()) {
    const runs = step.if === undefined ? !failed : Boolean(interpolate(step.if.startsWith('${{') ? step.if : `\${{ ${step.if} }}`, context(), functions));
    if (!runs) continue;
    const inputs = (interpolateDeep(step.with ?? {}, context(), functions) ?? {}) as Record<string, unknown>;
    const action = step.uses?.replace(/@.*$/, '');
    if (step.uses !== undefined) expect(step.uses, 'actions are pinned to a major version').toMatch(/@v\d+$/);
    if (action === 'actions/checkout') {
      const repository = inputs.repository as string | undefined;
      const source = repository === undefined ? base.home : join(fleet, repository);
      if (!existsSync(source)) throw new Error(`checkout: no fixture repository ${repository ?? ''}`);
      cpSync(source, join(workspace, String(inputs.path ?? '.')), { recursive: true });
      expect(inputs['persist-credentials']).toBe(false);
    } else if (action === 'actions/setup-node') {
      expect(Number(inputs['node-version'])).toBeGreaterThanOrEqual(20);
    } else if (action === 'actions/upload-artifact') {
      const paths = String(inputs.path).split('\n').map((line) => line.trim()).filter(Boolean);
      const files = paths.map((path) => join(workspace, path)).filter((path) => existsSync(path));
      if (files.length === 0 && inputs['if-no-files-found'] === 'error') failed = true;
      else if (files.length > 0) base.artifacts.upload(String(inputs.name), files, null);
    } else if (action === 'actions/download-artifact') {
      base.artifacts.download(namePattern(String(inputs.pattern)), join(workspace, String(inputs.path)), inputs['merge-multiple'] === true);
    } else if (step.run !== undefined) {
      expect(step.shell, 'run steps say their shell').toBe('bash');
      const outputFile = join(runnerTemp, `output-${index}`);
      writeFileSync(outputFile, '');
      const stepEnv = (interpolateDeep(step.env ?? {}, context(), functions) ?? {}) as Record<string, string>;
      const result = await runBash(String(interpolate(step.run, context(), functions)), {
        cwd: join(workspace, step['working-directory'] ?? '.'),
        env: { ...base.workflowEnv, ...stepEnv, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_WORKSPACE: workspace, RUNNER_TEMP: runnerTemp },
        errexit: true,
      });
      log += result.stdout + result.stderr;
      if (result.status !== 0) failed = true;
      if (step.id) steps[step.id] = { outputs: readGithubOutput(outputFile) };
    } else {
      throw new Error(`step ${step.name ?? step.uses ?? index}: not played by this test`);
    }
  }
  // A job that failed has no outputs worth reading (GitHub gives empty strings); the callers check the result first.
  const outputs = failed ? {} : ((interpolateDeep(job.outputs ?? {}, context(), functions) ?? {}) as Record<string, string>);
  return { result: failed ? 'failure' : 'success', outputs, log, summary: readFileSync(summaryFile, 'utf8') };
}

/** GitHub's matrix: the product of the listed keys, or with only `include`, one job per entry. */
function expandMatrix(matrix: unknown): Record<string, unknown>[] {
  const { include, exclude, ...keys } = matrix as { include?: Record<string, unknown>[]; exclude?: unknown[] } & Record<string, unknown[]>;
  if (exclude !== undefined) throw new Error('matrix exclude is not played by this test');
  if (Object.keys(keys).length > 0) throw new Error('a matrix of keys is not played by this test; the workflow gives include entries');
  return include ?? [];
}

describe.runIf(existsSync(builtCli))('ci/github/pod2wi-fleet.yml', () => {
  it('lists, scans each repository of the matrix in its own job, and merges the artifacts into the fleet report', async () => {
    const workflow = parse(readFileSync(join(repositoryRoot, 'ci', 'github', 'pod2wi-fleet.yml'), 'utf8')) as Workflow;
    expect(Object.keys(workflow.jobs)).toEqual(['list', 'scan', 'merge']);
    // The one substitution: pod2wi runs from this checkout's build instead of the package the workflow installs.
    expect(workflow.env.POD2WI).toMatch(/\bpod2wi\b/);
    const workflowEnv = { ...workflow.env, POD2WI: pod2wiCommand };
    const listPath = workflow.env.POD2WI_REPOSITORIES ?? '';
    const home = homeRepository(listPath);
    const artifacts = new ArtifactStore();
    const { list, scan, merge } = workflow.jobs as { list: Job; scan: Job; merge: Job };

    const listed = await runJob(list, { workflowEnv, home, artifacts });
    expect(listed.result, listed.log).toBe('success');

    const needsList = { list: { result: listed.result, outputs: listed.outputs } };
    expect(scan.needs).toBe('list');
    expect(scan.strategy?.['fail-fast']).toBe(false);
    const matrix = expandMatrix(interpolate(String(scan.strategy?.matrix), { needs: needsList }, githubFunctions));
    expect(matrix.map((entry) => entry.repository)).toEqual([
      'contoso/orders-api',
      'contoso/payments',
      'contoso/reporting',
      'contoso/catalog',
      'fabrikam/gitops',
      'fabrikam/billing',
      'fabrikam/edge',
      'fabrikam/docs',
    ]);
    const scans = await mapLimited(matrix, 2, async (entry) => ({
      name: String(interpolate(scan.name ?? '', { matrix: entry }, githubFunctions)),
      run: await runJob(scan, { workflowEnv, home, artifacts, matrix: entry, needs: needsList }),
    }));
    expect(scans.map((item) => `${item.name}: ${item.run.result}`), scans.map((item) => item.run.log).join("\n")).toEqual(matrix.map((entry) => `Scan ${String(entry.repository)}: ${entry.repository === 'fabrikam/docs' ? 'failure' : 'success'}`));
    const docs = scans.find((item) => item.name === 'Scan fabrikam/docs');
    expect(docs?.run.log).toContain('no Kubernetes manifest, Helm chart, kustomization or application found');
    expect(scans[0]?.run.log).toContain('pod2wi 0.1.0 · contoso/orders-api');
    expect(artifacts.names()).toEqual(matrix.filter((entry) => entry.repository !== 'fabrikam/docs').map((entry) => String(entry.artifact)).sort());

    const needs = { list: needsList.list, scan: { result: 'failure', outputs: {} } };
    expect(Boolean(evaluate(String(merge.if).replace(/^\$\{\{|\}\}$/g, ''), { needs }, githubFunctions))).toBe(true);
    const merged = await runJob(merge, { workflowEnv, home, artifacts, needs });
    // A listed repository without a report fails the merge job, after the report is written and uploaded.
    expect(merged.result).toBe('failure');
    expect(merged.log).toContain(`${listPath}:10: fabrikam/docs: no report`);
    const markdown = artifacts.read('pod2wi-fleet', 'pod2wi-fleet.md');
    const json = artifacts.read('pod2wi-fleet', 'pod2wi-fleet.json');
    expect(merged.summary).toBe(markdown);
    expect(validateFleetReport(JSON.parse(json))).toEqual([]);
    expectGolden(join(expected, 'fleet.md'), markdown);
    expectGolden(join(expected, 'fleet.json'), json);
  }, 180_000);

  it('fails the list job on a line that is not owner/name or a repository listed twice, naming the line', async () => {
    const workflow = parse(readFileSync(join(repositoryRoot, 'ci', 'github', 'pod2wi-fleet.yml'), 'utf8')) as Workflow;
    const listPath = workflow.env.POD2WI_REPOSITORIES ?? '';
    const home = tempDir('pod2wi-home-');
    const list = join(home, listPath);
    cpSync(join(fleet, 'repositories.txt'), list);
    writeFileSync(list, `${readFileSync(list, 'utf8')}contoso/payments\nnot a repository\n`);
    const run = await runJob(workflow.jobs.list as Job, { workflowEnv: { ...workflow.env, POD2WI: pod2wiCommand }, home, artifacts: new ArtifactStore() });
    expect(run.result).toBe('failure');
    expect(run.log).toContain(`::error file=${listPath},line=11::contoso/payments: listed twice (line 3)`);
    expect(run.log).toContain(`::error file=${listPath},line=12::not a repository: not owner/name`);
    expect(listFiles(home)).toHaveLength(1);
  });
});
