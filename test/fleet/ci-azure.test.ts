import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseReposFile } from '../../src/fleet/repos-file.js';
import { azureFunctions, expandAzureTemplate } from '../helpers/ci-expressions.js';
import { ArtifactStore, builtCli, mapLimited, namePattern, pod2wiCommand, repositoryRoot, runBash } from '../helpers/ci-runner.js';
import { expectGolden } from '../helpers/golden.js';
import { tempDir } from '../helpers/repo.js';
import { validateFleetReport } from '../helpers/schema.js';

/**
 * Expands azure-pipelines/pod2wi-fleet.yml with the repositories of fixtures/fleet/repositories.txt as Azure Pipelines
 * compiles a template (`${{ each }}`, `${{ parameters.* }}`, `replace`, `convertToJson`), then runs each job locally:
 * checkouts copy the fixture repository, `script` steps run in bash with the agent's macros (`$(Build.*)`) filled
 * in, `publish` and DownloadPipelineArtifact move the reports. The fleet report must equal the same golden files as
 * the GitHub workflow's and `scan --repos-file`'s.
 */
const fleet = join(repositoryRoot, 'fixtures', 'fleet');
const expected = join(fleet, 'expected');

interface Step {
  readonly checkout?: string;
  readonly path?: string;
  readonly task?: string;
  readonly inputs?: Record<string, unknown>;
  readonly script?: string;
  readonly workingDirectory?: string;
  readonly env?: Record<string, string>;
  readonly publish?: string;
  readonly artifact?: string;
  readonly download?: string;
  readonly condition?: string;
  readonly displayName?: string;
}
interface Job {
  readonly job: string;
  readonly displayName?: string;
  readonly dependsOn?: string[];
  readonly condition?: string;
  readonly steps: readonly Step[];
}

interface JobRun {
  readonly result: 'succeeded' | 'failed';
  readonly log: string;
}

async function runJob(job: Job, artifacts: ArtifactStore): Promise<JobRun> {
  const agent = tempDir('pod2wi-agent-');
  const variables: Record<string, string> = {
    'Agent.BuildDirectory': agent,
    'Agent.TempDirectory': join(agent, '_temp'),
    'Build.ArtifactStagingDirectory': join(agent, 'a'),
    'Build.SourcesDirectory': join(agent, 's'),
    'Pipeline.Workspace': agent,
  };
  for (const folder of ['_temp', 'a', 's']) mkdirSync(join(agent, folder), { recursive: true });
  // Macros are replaced before a step runs; an unknown one would stay as text, which the assertions below catch.
  const macro = (text: string) => text.replace(/\$\(([A-Za-z.]+)\)/g, (whole, name: string) => variables[name] ?? whole);
  let failed = false;
  let log = '';
  for (const step of job.steps) {
    const condition = step.condition ?? 'succeeded()';
    if (!['succeeded()', 'succeededOrFailed()', 'always()'].includes(condition)) throw new Error(`condition ${condition}: not played by this test`);
    if (failed && condition === 'succeeded()') continue;
    if (step.checkout !== undefined) {
      if (step.checkout === 'none') continue;
      const repository = /^git:\/\/(.+)$/.exec(step.checkout)?.[1];
      if (!repository || !existsSync(join(fleet, repository))) throw new Error(`checkout ${step.checkout}: no fixture repository`);
      cpSync(join(fleet, repository), join(agent, step.path ?? 's'), { recursive: true });
    } else if (step.task === 'UseNode@1') {
      expect(String(step.inputs?.version)).toMatch(/^(2\d|[3-9]\d)\./);
    } else if (step.task === 'DownloadPipelineArtifact@2') {
      const inputs = step.inputs ?? {};
      expect(inputs.buildType).toBe('current');
      const itemPattern = String(inputs.itemPattern);
      expect(itemPattern.endsWith('/**')).toBe(true);
      artifacts.download(namePattern(itemPattern.slice(0, -3)), macro(String(inputs.targetPath)), false);
    } else if (step.script !== undefined) {
      const script = macro(step.script);
      expect(script).not.toMatch(/\$\([A-Z][A-Za-z]*\.[A-Za-z.]+\)/);
      const result = await runBash(script, { cwd: macro(step.workingDirectory ?? variables['Build.SourcesDirectory'] ?? agent), env: step.env ?? {}, errexit: false });
      log += result.stdout + result.stderr;
      if (result.status !== 0) failed = true;
    } else if (step.publish !== undefined) {
      artifacts.uploadFolder(String(step.artifact), macro(step.publish));
    } else {
      throw new Error(`step ${step.displayName ?? JSON.stringify(step)}: not played by this test`);
    }
  }
  return { result: failed ? 'failed' : 'succeeded', log };
}

describe.runIf(existsSync(builtCli))('azure-pipelines/pod2wi-fleet.yml', () => {
  it('expands one scan job per listed repository and a last job that merges their artifacts into the fleet report', async () => {
    const template = parse(readFileSync(join(repositoryRoot, 'azure-pipelines', 'pod2wi-fleet.yml'), 'utf8')) as {
      parameters: { name: string; default?: unknown }[];
      jobs: unknown[];
    };
    const defaults = Object.fromEntries(template.parameters.map((parameter) => [parameter.name, parameter.default]));
    expect(defaults.pod2wi).toMatch(/\bpod2wi\b/);
    const repositories = parseReposFile(readFileSync(join(fleet, 'repositories.txt'), 'utf8')).map((entry) => entry.path);
    // The one substitution: pod2wi runs from this checkout's build instead of the package the template installs.
    const parameters = { ...defaults, repositories, pod2wi: pod2wiCommand };
    const jobs = expandAzureTemplate(template.jobs, { parameters }, azureFunctions) as Job[];

    const scans = jobs.filter((job) => job.job.startsWith('scan_'));
    expect(scans.map((job) => job.displayName)).toEqual(repositories.map((repository) => `pod2wi scan ${repository}`));
    for (const job of jobs) expect(job.job).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    expect(new Set(jobs.map((job) => job.job)).size).toBe(jobs.length);
    const last = jobs.at(-1);
    expect(last?.job).toBe('pod2wi_fleet');
    expect(last?.dependsOn).toEqual(scans.map((job) => job.job));
    expect(last?.condition).toBe('succeededOrFailed()');

    const artifacts = new ArtifactStore();
    const runs = await mapLimited(scans, 2, (job) => runJob(job, artifacts));
    expect(runs.map((run, index) => `${scans[index]?.job ?? ''}: ${run.result}`), runs.map((run) => run.log).join('\n')).toEqual(
      scans.map((job) => `${job.job}: ${job.job === 'scan_fabrikam__docs' ? 'failed' : 'succeeded'}`),
    );
    expect(runs[0]?.log).toContain('pod2wi 0.1.0 · contoso/orders-api');
    expect(artifacts.names()).toEqual(repositories.filter((repository) => repository !== 'fabrikam/docs').map((repository) => `pod2wi-scan-${repository.replace('/', '__')}`).sort());

    const merged = await runJob(last as Job, artifacts);
    expect(merged.result).toBe('failed');
    expect(merged.log).toMatch(/pod2wi-repositories\.txt:8: fabrikam\/docs: no report/);
    expect(merged.log).toMatch(/##vso\[task\.uploadsummary\]\/.*pod2wi-fleet\.md/);
    const markdown = artifacts.read('pod2wi-fleet', 'pod2wi-fleet.md');
    const json = artifacts.read('pod2wi-fleet', 'pod2wi-fleet.json');
    expect(validateFleetReport(JSON.parse(json))).toEqual([]);
    expectGolden(join(expected, 'fleet.md'), markdown);
    expectGolden(join(expected, 'fleet.json'), json);
  }, 180_000);

  it('refuses template syntax it does not know, so the expansion above cannot pass by skipping it', () => {
    expect(() => expandAzureTemplate([{ '${{ if eq(parameters.x, true) }}': [{ job: 'a' }] }], { parameters: { x: true } }, azureFunctions)).toThrow(/not supported|not a list|unsupported/);
    expect(() => expandAzureTemplate({ job: '${{ parameters.missing }}' }, { parameters: {} }, azureFunctions)).toThrow(/no such value/);
    expect(() => expandAzureTemplate({ job: '${{ upper(parameters.x) }}' }, { parameters: { x: 'a' } }, azureFunctions)).toThrow(/unsupported function/);
  });
});
