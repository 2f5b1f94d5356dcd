import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './repo.js';

/** The repository's own folder and its built CLI (`npm test` builds before it runs the tests). */
export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
export const builtCli = join(repositoryRoot, 'dist', 'cli', 'main.js');
/**
 * How the CI files' steps run pod2wi in the tests: the built CLI, instead of the package they install. The workflow
 * expands `$POD2WI` unquoted (a command and its arguments), so the path must hold no white space.
 */
export const pod2wiCommand = /\s/.test(builtCli) ? (() => { throw new Error(`${builtCli}: white space in the path`); })() : `node ${builtCli}`;

export interface ScriptResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a bash script as a CI runner would (`bash --noprofile --norc`, plus `-eo pipefail` for GitHub's `shell: bash`). */
export function runBash(script: string, options: { cwd: string; env: Record<string, string>; errexit: boolean }): Promise<ScriptResult> {
  const flags = options.errexit ? ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script] : ['--noprofile', '--norc', '-c', script];
  return new Promise((resolve, reject) => {
    const child = spawn('bash', flags, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? options.cwd, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? 1, stdout, stderr }));
  });
}

/** Runs `work` over `items` with at most `limit` at a time, keeping the order of the results. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A glob of artifact names (`pod2wi-scan-*`) as a regular expression. */
export function namePattern(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
}

/** Pipeline artifacts of one run: name → folder holding its files. Uploading a name twice is an error, as in both CI systems. */
export class ArtifactStore {
  private readonly folders = new Map<string, string>();

  upload(name: string, files: readonly string[], base: string | null): void {
    if (this.folders.has(name)) throw new Error(`artifact ${name} uploaded twice`);
    const folder = tempDir('pod2wi-artifact-');
    for (const file of files) {
      const relative = base === null ? basename(file) : file.slice(base.length + 1);
      mkdirSync(join(folder, relative, '..'), { recursive: true });
      cpSync(file, join(folder, relative));
    }
    this.folders.set(name, folder);
  }

  uploadFolder(name: string, folder: string): void {
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new Error(`artifact ${name}: ${folder} is not a folder`);
    this.upload(name, listFiles(folder), folder);
  }

  names(): string[] {
    return [...this.folders.keys()].sort();
  }

  /** Copies the artifacts whose names match into `target`, each in a folder of its name or all in one. */
  download(pattern: RegExp, target: string, mergeMultiple: boolean): string[] {
    const names = this.names().filter((name) => pattern.test(name));
    for (const name of names) {
      const destination = mergeMultiple ? target : join(target, name);
      mkdirSync(destination, { recursive: true });
      cpSync(this.folders.get(name) ?? '', destination, { recursive: true });
    }
    return names;
  }

  read(name: string, file: string): string {
    return readFileSync(join(this.folders.get(name) ?? '', file), 'utf8');
  }
}

/** Every file under a folder (absolute paths, sorted). */
export function listFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Reads `$GITHUB_OUTPUT` (`name=value` lines and `name<<DELIMITER` blocks). */
export function readGithubOutput(path: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  if (!existsSync(path)) return outputs;
  const lines = readFileSync(path, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== block[2]; i++) body.push(lines[i] ?? '');
      outputs[block[1] ?? ''] = body.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return outputs;
}

/** Writes a file, creating its folder. */
export function writeFile(path: string, content: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}
