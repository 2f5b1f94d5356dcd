import { UsageError } from '../model/errors.js';
import { GitSession } from '../walk/git.js';

/**
 * Files under `root` that changed since `ref`: committed on this branch since its merge base with `ref`
 * (`git diff REF...HEAD`), plus uncommitted changes (staged, unstaged) and untracked files. Paths are relative to
 * the root with `/` separators. A root outside a git work tree or a ref git does not know is a usage error. `git`
 * shares its answers with the rest of the run (the walk lists the same untracked files).
 */
export function changedFiles(root: string, ref: string, git: GitSession = new GitSession(root)): Set<string> {
  /** The names git lists (`-z`), or a usage error saying which git command failed and why. */
  const names = (command: string, list: () => Buffer): string[] => {
    try {
      return list().toString('utf8').split('\0').filter((path) => path.length > 0);
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim().split('\n')[0] ?? '';
      throw new UsageError(`--changed-since ${ref}: git ${command} failed${stderr ? `: ${stderr}` : ''}`);
    }
  };
  const diff = (against: string) => names('diff', () => git.output(['diff', '--no-ext-diff', '--no-textconv', '--name-only', '-z', '--relative', against, '--']));
  if (!git.isWorkTree()) throw new UsageError(`--changed-since needs a git work tree: ${root} is not inside one`);
  if (ref.startsWith('-')) throw new UsageError(`--changed-since ${ref}: not a git ref`);
  try {
    git.output(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new UsageError(`--changed-since ${ref}: unknown git ref (a shallow clone lacks history: git fetch --unshallow, or actions/checkout with fetch-depth: 0)`);
  }
  return new Set([...diff(`${ref}...HEAD`), ...diff('HEAD'), ...names('ls-files', () => git.untracked())]);
}
