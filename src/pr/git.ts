import { execFile } from 'node:child_process';
import { devNull } from 'node:os';
import { RemoteError, Pod2wiError, UsageError } from '../model/errors.js';
import type { Redactor } from './redact.js';

/** Environment variables as the CLI received them. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * An HTTP header git sends to one URL prefix when it talks to the remote (`http.<prefix>.extraHeader`). It reaches
 * git through `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n` in the environment of that one command:
 * never on the command line (visible in process listings), never in `.git/config`, never in the remote URL.
 */
export interface GitHttpAuth {
  readonly urlPrefix: string;
  readonly header: string;
}

/** A commit's author and committer. */
export interface GitAuthor {
  readonly name: string;
  readonly email: string;
}

/** What every git command of one run shares. */
export interface GitContext {
  readonly env: Environment;
  readonly redactor: Redactor;
  readonly auth: readonly GitHttpAuth[];
}

interface RunOptions {
  /** Send the auth headers (fetch, push, ls-remote). */
  readonly auth?: boolean;
  /** Failures are the remote's (RemoteError) rather than local (internal). */
  readonly remote?: boolean;
  readonly env?: Readonly<Record<string, string>>;
}

interface RunResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** Variables that would point git at another repository than the one in `cwd` (set when running inside a hook). */
const repositoryVariables = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_PREFIX', 'GIT_COMMON_DIR'];

/**
 * A thin wrapper over the `git` executable: arguments as arrays (no shell), prompts off, hooks and commit signing
 * off (the commits are generated), and output redacted before it can reach an error message.
 */
export class Git {
  constructor(
    readonly cwd: string,
    private readonly context: GitContext,
  ) {}

  /** The same settings, in another folder (the temporary work tree). */
  at(cwd: string): Git {
    return new Git(cwd, this.context);
  }

  /** Runs git and returns its stdout; throws with git's redacted stderr when it fails. */
  async run(args: readonly string[], options: RunOptions = {}): Promise<string> {
    const result = await this.attempt(args, options);
    if (!result.ok) {
      const message = `git ${args.filter((arg) => !arg.startsWith('-')).slice(0, 2).join(' ')} failed: ${this.context.redactor.redact(result.stderr.trim() || result.stdout.trim() || 'no output')}`;
      throw options.remote ? new RemoteError(message) : new Pod2wiError('internal', message);
    }
    return result.stdout;
  }

  /** Runs git and reports whether it succeeded, with its output (redacted). */
  attempt(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const env = this.environment(options);
    return new Promise((resolve) => {
      execFile('git', [...args], { cwd: this.cwd, env, maxBuffer: 256 * 1024 * 1024, windowsHide: true, encoding: 'utf8' }, (error, stdout, stderr) => {
        const redact = (text: string) => this.context.redactor.redact(text);
        if (error && typeof error.code === 'string') {
          resolve({ ok: false, stdout: '', stderr: error.code === 'ENOENT' ? 'cannot run git: is it installed and on PATH?' : `git did not complete (${error.code})` });
          return;
        }
        resolve({ ok: error === null, stdout: redact(stdout), stderr: redact(stderr) });
      });
    });
  }

  /** The top folder of the work tree holding `cwd`. */
  async topLevel(): Promise<string> {
    const result = await this.attempt(['rev-parse', '--show-toplevel']);
    if (!result.ok) throw new UsageError(`${this.cwd} is not inside a git work tree (pod2wi pr commits and pushes with git)`);
    return result.stdout.trim();
  }

  /** Uncommitted changes and untracked files (not ignored ones), as `XY path` lines. */
  async changes(): Promise<string[]> {
    const out = await this.run(['status', '--porcelain=v1', '--untracked-files=all', '-z']);
    const entries: string[] = [];
    const parts = out.split('\0');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] ?? '';
      if (part === '') continue;
      entries.push(part);
      // A rename or copy is followed by its source path.
      if (/^[RC]/.test(part)) i++;
    }
    return entries;
  }

  /** The URL git uses for a remote (`insteadOf` applied); a usage error when there is no such remote. */
  async remoteUrl(remote: string, push: boolean): Promise<string> {
    const result = await this.attempt(['remote', 'get-url', ...(push ? ['--push'] : []), remote]);
    if (!result.ok) throw new UsageError(`no git remote named "${remote}" (see git remote -v, or pass --remote)`);
    return result.stdout.trim();
  }

  /** The commit a ref points to, or null when it does not exist. */
  async resolve(ref: string): Promise<string | null> {
    const result = await this.attempt(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    return result.ok ? result.stdout.trim() : null;
  }

  /** Refs at `ref` or below it (`refs/remotes/origin/pod2wi/parallel` and `…/parallel/shop`), sorted. */
  async refs(ref: string): Promise<string[]> {
    const out = await this.run(['for-each-ref', '--format=%(refname)', ref]);
    return out.split('\n').filter((line) => line !== '').sort();
  }

  async tree(commit: string): Promise<string> {
    return (await this.run(['rev-parse', '--verify', `${commit}^{tree}`])).trim();
  }

  /** Fetches `refspecs` from the remote; `prune` drops remote-tracking refs (of those refspecs) gone upstream. */
  async fetch(remote: string, refspecs: readonly string[], prune: boolean): Promise<void> {
    await this.run(['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', ...(prune ? ['--prune'] : []), remote, ...refspecs], { auth: true, remote: true });
  }

  /** Adds a detached work tree at `dir` (an empty or missing folder) checked out at `commit`. */
  async addWorktree(dir: string, commit: string): Promise<void> {
    await this.run(['worktree', 'add', '--detach', '--quiet', dir, commit]);
  }

  /** Removes a work tree and its administrative files; never throws (this runs while cleaning up). */
  async removeWorktree(dir: string): Promise<boolean> {
    const removed = await this.attempt(['worktree', 'remove', '--force', '--force', dir]);
    await this.attempt(['worktree', 'prune']);
    return removed.ok;
  }

  /** Puts the work tree back at `commit`, with no untracked or ignored files left. */
  async resetTo(commit: string): Promise<void> {
    await this.run(['reset', '--quiet', '--hard', commit]);
    await this.run(['clean', '-ffdxq']);
  }

  /** Stages everything and returns what differs from HEAD, as `[status, path]` (A, M, D, T) sorted by path. */
  async stageAll(): Promise<[string, string][]> {
    await this.run(['add', '--all']);
    return pairs(await this.run(['diff', '--cached', '--name-status', '--no-renames', '-z', 'HEAD']));
  }

  /** Stages everything and commits it as `author` (also the committer); returns the new commit. */
  async commitAll(message: string, author: GitAuthor): Promise<string> {
    await this.run(['add', '--all']);
    const [subject = '', ...rest] = message.split('\n\n');
    const paragraphs = [subject, ...rest].flatMap((paragraph) => ['-m', paragraph]);
    await this.run(['commit', '--quiet', '--no-verify', '--no-gpg-sign', '--cleanup=verbatim', ...paragraphs], {
      env: { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email, GIT_COMMITTER_NAME: author.name, GIT_COMMITTER_EMAIL: author.email },
    });
    return (await this.run(['rev-parse', 'HEAD'])).trim();
  }

  /** Author and committer emails of the commits in `range` (`a..b`). */
  async emails(range: string): Promise<string[]> {
    const out = await this.run(['log', '--format=%ae%n%ce', range]);
    return [...new Set(out.split('\n').filter((line) => line !== ''))].sort();
  }

  async count(range: string): Promise<number> {
    return Number((await this.run(['rev-list', '--count', range])).trim());
  }

  /**
   * Pushes `commit` to `refs/heads/<branch>` on the remote, replacing what is there only if it is still `expected`
   * (null: the branch must not exist yet), so a branch someone pushed to in the meantime is never overwritten.
   */
  async push(remote: string, commit: string, branch: string, expected: string | null): Promise<void> {
    await this.run(['push', '--quiet', '--no-verify', `--force-with-lease=refs/heads/${branch}:${expected ?? ''}`, remote, `${commit}:refs/heads/${branch}`], { auth: true, remote: true });
  }

  private environment(options: RunOptions): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.context.env)) {
      if (value !== undefined && !repositoryVariables.includes(key)) env[key] = value;
    }
    // Configuration through the environment, appended to any the caller already passes this way.
    const inherited = Number.parseInt(env.GIT_CONFIG_COUNT ?? '0', 10);
    let count = Number.isInteger(inherited) && inherited > 0 ? inherited : 0;
    const set = (key: string, value: string) => {
      env[`GIT_CONFIG_KEY_${count}`] = key;
      env[`GIT_CONFIG_VALUE_${count}`] = value;
      count++;
    };
    set('core.hooksPath', devNull);
    set('commit.gpgSign', 'false');
    set('advice.detachedHead', 'false');
    if (options.auth && this.context.auth.length > 0) {
      // An empty value resets the list, so a header left by the CI checkout is not sent twice.
      set('http.extraHeader', '');
      for (const auth of this.context.auth) set(`http.${auth.urlPrefix}.extraHeader`, auth.header);
    }
    env.GIT_CONFIG_COUNT = String(count);
    env.GIT_TERMINAL_PROMPT = '0';
    env.GCM_INTERACTIVE = 'never';
    // Manifests are never LFS objects: the temporary checkout keeps pointers instead of downloading content.
    env.GIT_LFS_SKIP_SMUDGE = '1';
    env.LC_ALL = 'C';
    return { ...env, ...options.env };
  }
}

/** `scheme://host[:port]/` of an http(s) URL, without user information; null for ssh, file and local paths. */
export function httpOrigin(url: string): string | null {
  if (!/^https?:\/\//i.test(url)) return null;
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/`;
  } catch {
    return null;
  }
}

/** `--name-status -z` output as sorted `[status, path]` pairs. */
function pairs(out: string): [string, string][] {
  const parts = out.split('\0').filter((part) => part !== '');
  const result: [string, string][] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) result.push([parts[i] ?? '', parts[i + 1] ?? '']);
  return result.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
}
