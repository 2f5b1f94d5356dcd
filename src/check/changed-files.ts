import { execFileSync } from 'node:child_process';
import { UsageError } from '../model/errors.js';
import { gitSafetyOptions } from '../walk/git.js';

/**
 * Files under `root` that changed since `ref`: committed on this branch since its merge base with `ref`
 * (`git diff REF...HEAD`), plus uncommitted changes (staged, unstaged) and untracked files. Paths are relative to
 * the root with `/` separators. A root outside a git work tree or a ref git does not know is a usage error.
 */
export function changedFiles(root: string, ref: string): Set<string> {
  const safety = gitSafetyOptions(root);
  const git = (args: readonly string[]): string => {
    try {
      return execFileSync('git', ['-C', root, ...safety, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim().split('\n')[0] ?? '';
      throw new UsageError(`--changed-since ${ref}: git ${args[0] ?? ''} failed${stderr ? `: ${stderr}` : ''}`);
    }
  };
  try {
    execFileSync('git', ['-C', root, '-c', 'core.fsmonitor=false', 'rev-parse', '--is-inside-work-tree'], { stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    throw new UsageError(`--changed-since needs a git work tree: ${root} is not inside one`);
  }
  if (ref.startsWith('-')) throw new UsageError(`--changed-since ${ref}: not a git ref`);
  try {
    execFileSync('git', ['-C', root, '-c', 'core.fsmonitor=false', 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    throw new UsageError(`--changed-since ${ref}: unknown git ref (a shallow clone lacks history: git fetch --unshallow, or actions/checkout with fetch-depth: 0)`);
  }
  const split = (out: string) => out.split('\0').filter((path) => path.length > 0);
  return new Set([
    ...split(git(['diff', '--no-ext-diff', '--no-textconv', '--name-only', '-z', '--relative', `${ref}...HEAD`, '--'])),
    ...split(git(['diff', '--no-ext-diff', '--no-textconv', '--name-only', '-z', '--relative', 'HEAD', '--'])),
    ...split(git(['ls-files', '-z', '--others', '--exclude-standard'])),
  ]);
}
