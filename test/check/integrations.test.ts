import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkFormats } from '../../src/cli/check.js';
import type { Io } from '../../src/cli/output.js';
import { runCli } from '../../src/cli/program.js';
import { tempDir } from '../helpers/repo.js';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const packageJson = JSON.parse(read('package.json')) as { bin: Record<string, string> };

async function checkHelp(): Promise<string> {
  let out = '';
  const io: Io = { cwd: tempDir(), env: {}, stdout: { write: (text: string) => (out += text) }, stderr: { write: () => true } };
  expect(await runCli(['check', '--help'], io)).toBe(0);
  return out;
}

/** The options a command line passes (`--format`, `--changed-since`), which `pod2wi check --help` must list. */
const optionsOf = (command: string): string[] => [...command.matchAll(/(?:^|\s)(--[a-z-]+)/g)].map((match) => match[1] ?? '');

describe('integrations shipped in the repository', () => {
  it('action.yml is a composite action that runs the built pod2wi check and uploads SARIF', async () => {
    const action = parse(read('action.yml')) as {
      name: string;
      inputs: Record<string, { description: string; default?: string }>;
      outputs: Record<string, { value: string }>;
      runs: { using: string; steps: { uses?: string; run?: string; with?: Record<string, string> }[] };
    };
    expect(action.runs.using).toBe('composite');
    const text = read('action.yml');
    for (const [, input] of text.matchAll(/inputs\.([\w-]+)/g)) expect(Object.keys(action.inputs)).toContain(input);
    for (const input of Object.values(action.inputs)) expect(input.description.length).toBeGreaterThan(10);
    const run = action.runs.steps.map((step) => step.run ?? '').join('\n');
    expect(packageJson.bin.pod2wi).toBe('dist/pod2wi.js');
    expect(run).toContain('npm run build');
    expect(run).toContain('node "$GITHUB_ACTION_PATH/dist/pod2wi.js" check');
    const help = await checkHelp();
    for (const option of optionsOf(run).filter((option) => option === '--format')) expect(help).toContain(option);
    for (const format of ['github', 'text', 'sarif', 'markdown']) expect(run).toContain(format);
    expect(action.runs.steps.some((step) => step.uses?.startsWith('github/codeql-action/upload-sarif@'))).toBe(true);
    expect(action.runs.steps.some((step) => step.uses?.startsWith('actions/setup-node@'))).toBe(true);
  });

  it('the Azure Pipelines template runs pod2wi check with formats that exist and declares its parameters', async () => {
    const text = read('azure-pipelines/pod2wi-check.yml');
    const template = parse(text) as { parameters: { name: string }[]; steps: Record<string, unknown>[] };
    const declared = template.parameters.map((parameter) => parameter.name);
    for (const [, name] of text.matchAll(/parameters\.(\w+)/g)) expect(declared).toContain(name);
    const script = String(template.steps.find((step) => step.displayName === 'pod2wi check')?.script ?? '');
    expect(script).toMatch(/^\$\{\{ parameters\.pod2wi \}\} check /);
    for (const [, format] of script.matchAll(/--format "?([a-z-]+)/g)) expect(checkFormats).toContain(format);
    const help = await checkHelp();
    for (const option of optionsOf(script)) expect(help).toContain(option);
  });

  it('.pre-commit-hooks.yaml runs the package bin with options pod2wi check knows, on the files it reads', async () => {
    const hooks = parse(read('.pre-commit-hooks.yaml')) as { id: string; entry: string; language: string; pass_filenames: boolean; files?: string }[];
    expect(hooks.map((hook) => hook.id)).toEqual(['pod2wi-check', 'pod2wi-check-all']);
    const help = await checkHelp();
    for (const hook of hooks) {
      expect(hook.language).toBe('node');
      expect(hook.pass_filenames).toBe(false);
      const [bin, command] = hook.entry.split(/\s+/);
      expect(Object.keys(packageJson.bin)).toContain(bin);
      expect(command).toBe('check');
      for (const option of optionsOf(hook.entry)) expect(help).toContain(option);
    }
    const files = new RegExp(hooks[0]?.files ?? '^$');
    for (const path of ['deploy/app.yaml', 'chart/templates/_helpers.tpl', 'infra/aks.bicep', 'main.tf', 'scripts/setup.sh', 'Dockerfile', '.pod2wi.yaml']) expect(files.test(path)).toBe(true);
    for (const path of ['src/app.ts', 'README.md']) expect(files.test(path)).toBe(false);
  });
});
