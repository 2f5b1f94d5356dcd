import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeTree } from '../helpers/repo.js';

/** The built CLI (`npm test` builds before it runs the tests): the tsc build, and the bundle `npm run build` makes of it. */
const repository = fileURLToPath(new URL('../..', import.meta.url));
const cli = `${repository}dist/cli/main.js`;
const bundle = `${repository}dist/pod2wi.js`;

/**
 * Runs a built CLI with a module loader hook that records every module URL Node loads (ES modules, and at exit the
 * CommonJS modules in require's cache: zod is required on first use), and returns those URLs.
 */
function loadedModules(args: readonly string[], cwd: string, entry: string = cli): string[] {
  const dir = writeTree({});
  const log = join(dir, 'modules.log');
  writeFileSync(log, '');
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) {\n  appendFileSync(${JSON.stringify(log)}, url + '\\n');\n  return next(url, context);\n}\n`,
  );
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { appendFileSync } from 'node:fs';\nimport { createRequire, register } from 'node:module';\nimport { pathToFileURL } from 'node:url';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\nconst cache = createRequire(import.meta.url).cache;\nprocess.on('exit', () => appendFileSync(${JSON.stringify(log)}, Object.keys(cache).map((path) => pathToFileURL(path).href + '\\n').join('')));\n`,
  );
  const result = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, entry, ...args], { cwd, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect([0, 1]).toContain(result.status);
  return readFileSync(log, 'utf8').split('\n').filter((line) => line.length > 0);
}

const packageOf = (name: string) => (url: string) => url.includes(`/node_modules/${name}/`);
/** A module (or, ending in `/`, a folder) of the built code. */
const distFolder = (path: string) => (url: string) => url.startsWith(pathToFileURL(`${repository}dist/${path}`).href);

const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n        - name: web\n          image: contoso/web:1\n';

describe.runIf(existsSync(cli))('what the built CLI loads', () => {
  it('prints its version without loading any stage, parser or rule schema', () => {
    const loaded = loadedModules(['--version'], repository);
    expect(loaded.some(distFolder('cli/main.js'))).toBe(true);
    for (const name of ['typescript', 'web-tree-sitter', 'zod', 'yaml', '@octokit/rest']) expect(loaded.filter(packageOf(name))).toEqual([]);
    for (const module of ['run.js', 'check/gate.js', 'check/policy.js', 'k8s/read.js', 'code/index.js', 'deps/index.js', 'plan/index.js', 'fix/index.js', 'pr/index.js', 'rules/catalogue.js', 'report/']) expect(loaded.filter(distFolder(module))).toEqual([]);
  });

  it('checks manifests without TypeScript, tree-sitter, the code, plan, fix or pull-request stages', () => {
    const dir = writeTree({ 'deploy/web.yaml': deployment, 'README.md': '# shop\n' });
    const loaded = loadedModules(['check', '.'], dir);
    expect(loaded.some(distFolder('check/gate.js'))).toBe(true);
    for (const name of ['typescript', 'web-tree-sitter', 'zod', '@octokit/rest']) expect(loaded.filter(packageOf(name))).toEqual([]);
    for (const module of ['run.js', 'code/index.js', 'code/javascript.js', 'code/tree-sitter.js', 'deps/index.js', 'plan/index.js', 'fix/index.js', 'pr/index.js']) expect(loaded.filter(distFolder(module))).toEqual([]);
  });

  it('scans source files the prefilter passes over without loading a parser', () => {
    const dir = writeTree({
      'deploy/web.yaml': deployment,
      'web/app.py': 'def total(orders):\n    return sum(order.price for order in orders)\n',
      'web/index.ts': 'export const total = (prices: number[]) => prices.reduce((a, b) => a + b, 0);\n',
    });
    const loaded = loadedModules(['scan', '.', '--format', 'json'], dir);
    expect(loaded.some(distFolder('code/index.js'))).toBe(true);
    for (const name of ['typescript', 'web-tree-sitter', '@octokit/rest']) expect(loaded.filter(packageOf(name))).toEqual([]);
    expect(loaded.filter(distFolder('code/javascript.js'))).toEqual([]);
  });

  it('loads tree-sitter for a Python candidate and TypeScript only for a JavaScript one', () => {
    const python = writeTree({ 'deploy/web.yaml': deployment, 'web/app.py': 'from azure.identity import ManagedIdentityCredential\ncredential = ManagedIdentityCredential()\n' });
    const fromPython = loadedModules(['scan', '.', '--format', 'json'], python);
    expect(fromPython.filter(packageOf('web-tree-sitter')).length).toBeGreaterThan(0);
    expect(fromPython.filter(packageOf('typescript'))).toEqual([]);

    const script = writeTree({ 'deploy/web.yaml': deployment, 'web/index.js': "const { DefaultAzureCredential } = require('@azure/identity');\nmodule.exports = new DefaultAzureCredential();\n" });
    const fromScript = loadedModules(['scan', '.', '--format', 'json'], script);
    expect(fromScript.filter(packageOf('typescript')).length).toBeGreaterThan(0);
    expect(fromScript.filter(packageOf('web-tree-sitter'))).toEqual([]);
  });
});

describe.runIf(existsSync(bundle))('what the bundled CLI loads', () => {
  /**
   * Modules outside the bundle: packages from node_modules and built modules outside dist/pod2wi*.js. (fdir, in the
   * bundle, requires picomatch for itself when it is installed: that one is not pod2wi's choice.)
   */
  const outside = (loaded: readonly string[]) => loaded.filter((url) => url.startsWith('file:') && !/\/dist\/pod2wi(-[A-Z0-9]+)?\.js$/.test(url) && !packageOf('picomatch')(url));

  it('prints its version and checks manifests from the bundle alone: no TypeScript, tree-sitter or zod', () => {
    expect(outside(loadedModules(['--version'], repository, bundle))).toEqual([]);
    const dir = writeTree({ 'deploy/web.yaml': deployment, 'README.md': '# shop\n' });
    const loaded = loadedModules(['check', '.'], dir, bundle);
    expect(outside(loaded)).toEqual([]);
    // Split at the dynamic imports: the gate loads neither the scan's code stage nor the pull-request providers.
    expect(loaded.length).toBeLessThan(loadedModules(['scan', '.', '--format', 'json'], writeTree({ 'deploy/web.yaml': deployment, 'web/app.py': 'from azure.identity import ManagedIdentityCredential\ncredential = ManagedIdentityCredential()\n' }), bundle).length);
  });

  it('loads zod to validate a configuration file, and the parsers a candidate needs, from node_modules', () => {
    const configured = writeTree({ 'deploy/web.yaml': deployment, '.pod2wi.yaml': 'ignore:\n  - rule: pod-identity-label\n    reason: moved next sprint\n' });
    expect(outside(loadedModules(['check', '.'], configured, bundle)).filter(packageOf('zod')).length).toBeGreaterThan(0);
    const python = writeTree({ 'deploy/web.yaml': deployment, 'web/app.py': 'from azure.identity import ManagedIdentityCredential\ncredential = ManagedIdentityCredential()\n' });
    const fromPython = outside(loadedModules(['scan', '.', '--format', 'json'], python, bundle));
    expect(fromPython.filter(packageOf('web-tree-sitter')).length).toBeGreaterThan(0);
    expect(fromPython.filter(packageOf('typescript'))).toEqual([]);
  });
});
