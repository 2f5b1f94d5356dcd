import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir } from '../../helpers/repo.js';

/**
 * An environment with nothing of the machine's git configuration: a fresh HOME, no system config. Tests pass it to
 * the CLI (as `io.env`) and to the git commands that set up and inspect repositories.
 */
export function hermeticEnv(home: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    LANG: 'C',
    ...extra,
  };
}

/** A work tree with `origin` pointing at a bare repository, `main` pushed, and helpers to inspect both. */
export interface TestRepo {
  /** The folder that holds the work tree, the bare remote and HOME. */
  readonly dir: string;
  readonly work: string;
  readonly bare: string;
  readonly home: string;
  readonly env: Record<string, string>;
  /** Runs git in the work tree (or `cwd`) as the developer (or as `as`) and returns its trimmed stdout. */
  git(args: readonly string[], cwd?: string, as?: { name: string; email: string }): string;
  /** Runs git in the bare remote. */
  remote(args: readonly string[]): string;
  /** The commit a branch points to on the remote, or null. */
  remoteBranch(branch: string): string | null;
  /** A file's content on a remote branch. */
  remoteFile(branch: string, path: string): string;
  /**
   * Writes files into the work tree, commits them as a developer and pushes main straight to the bare repository
   * (not through `origin`, which may be the fake's HTTP endpoint: a synchronous git call would block its event loop).
   */
  commitAndPush(files: Readonly<Record<string, string>>, message: string): string;
}

const developer = { GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };

/** Creates the repository with `files`, committed on main and pushed to a local bare `origin` (a path, or `url`). */
export function createTestRepo(files: Readonly<Record<string, string>>): TestRepo {
  const dir = tempDir('pod2wi-pr-');
  const work = join(dir, 'work');
  const bare = join(dir, 'remotes', 'origin.git');
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  mkdirSync(work, { recursive: true });
  const env = hermeticEnv(home);
  const run = (args: readonly string[], cwd: string, as?: { name: string; email: string }) => {
    const who = as ? { GIT_AUTHOR_NAME: as.name, GIT_AUTHOR_EMAIL: as.email, GIT_COMMITTER_NAME: as.name, GIT_COMMITTER_EMAIL: as.email } : developer;
    return execFileSync('git', [...args], { cwd, env: { ...env, ...who }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  };
  run(['init', '--quiet', '--bare', '--initial-branch=main', bare], dir);
  run(['init', '--quiet', '--initial-branch=main'], work);
  write(work, files);
  run(['add', '--all'], work);
  run(['commit', '--quiet', '-m', 'initial manifests'], work);
  run(['remote', 'add', 'origin', bare], work);
  run(['push', '--quiet', 'origin', 'main'], work);
  run(['branch', '--quiet', '--set-upstream-to=origin/main', 'main'], work);
  return {
    dir,
    work,
    bare,
    home,
    env,
    git: (args, cwd = work, as) => run(args, cwd, as),
    remote: (args) => run(args, bare),
    remoteBranch(branch) {
      try {
        return run(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], bare);
      } catch {
        return null;
      }
    },
    remoteFile: (branch, path) => run(['show', `refs/heads/${branch}:${path}`], bare),
    commitAndPush(more, message) {
      write(work, more);
      run(['add', '--all'], work);
      run(['commit', '--quiet', '-m', message], work);
      run(['push', '--quiet', bare, 'main'], work);
      return run(['rev-parse', 'HEAD'], work);
    },
  };
}

function write(root: string, files: Readonly<Record<string, string>>): void {
  for (const [path, content] of Object.entries(files)) {
    const target = join(root, ...path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}

/** Every file under `dir` (recursively, `.git` included), with its content, for leak checks. */
export function readAllFiles(dir: string): { path: string; content: Buffer }[] {
  const found: { path: string; content: Buffer }[] = [];
  const visit = (folder: string) => {
    for (const entry of readdirSync(folder)) {
      const path = join(folder, entry);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) visit(path);
      else if (stat.isFile()) found.push({ path, content: readFileSync(path) });
    }
  };
  visit(dir);
  return found;
}
