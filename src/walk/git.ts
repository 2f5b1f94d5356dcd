import { execFileSync } from 'node:child_process';

/**
 * `-c` options that keep git from running programs named by the repository's own configuration while pod2wi reads
 * it: `core.fsmonitor` (run by ls-files and diff to list changes) and the clean, smudge and process commands of
 * every filter driver (run by diff on modified work-tree files). A repository unpacked with its `.git/config` must
 * not be able to run code through a scan. Reading the configuration itself runs nothing.
 */
export function gitSafetyOptions(root: string): string[] {
  const options = ['-c', 'core.fsmonitor=false'];
  let drivers = '';
  try {
    drivers = execFileSync('git', ['-C', root, ...options, 'config', '--null', '--name-only', '--get-regexp', '^filter\\.'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return options; // No filter configured (git exits 1), or not a repository: nothing more to neutralise.
  }
  const names = new Set<string>();
  for (const key of drivers.split('\0')) {
    const match = /^filter\.(.+)\.[^.]+$/s.exec(key.trim());
    if (match?.[1]) names.add(match[1]);
  }
  for (const name of [...names].sort()) options.push('-c', `filter.${name}.clean=`, '-c', `filter.${name}.smudge=`, '-c', `filter.${name}.process=`);
  return options;
}

/**
 * One repository's answers from git within one run: the safety options and whether the root is in a work tree are
 * asked once, the untracked files (a walk of every folder, the slowest listing) at most once, however many parts of
 * the run need them (`check --changed-since` lists the changes and walks the same tree).
 */
export class GitSession {
  readonly root: string;
  #safety: string[] | null = null;
  #workTree: boolean | null = null;
  #untracked: Buffer | null = null;

  constructor(root: string) {
    this.root = root;
  }

  get safety(): string[] {
    this.#safety ??= gitSafetyOptions(this.root);
    return this.#safety;
  }

  /** Whether the root is inside a git work tree. */
  isWorkTree(): boolean {
    if (this.#workTree === null) {
      try {
        this.#workTree = this.output(['rev-parse', '--is-inside-work-tree']).toString('utf8').trim() === 'true';
      } catch {
        this.#workTree = false;
      }
    }
    return this.#workTree;
  }

  /** `git ls-files -z -o --exclude-standard`: untracked files git does not ignore, relative to the root. */
  untracked(): Buffer {
    this.#untracked ??= this.output(['ls-files', '-z', '-o', '--exclude-standard']);
    return this.#untracked;
  }

  /** The output of a git command run at the root with the safety options; throws when git fails. */
  output(args: readonly string[]): Buffer {
    return execFileSync('git', ['-C', this.root, ...this.safety, ...args], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  }

  /**
   * Tracked files under the root with one of `extensions` (any case) whose work-tree text holds one of `words` (fixed
   * strings, case-sensitive; binary files searched as text), or null when git cannot say. A prefilter: it tells which
   * files may need reading.
   */
  filesContaining(words: readonly string[], extensions: readonly string[]): Set<string> | null {
    try {
      const pathspecs = extensions.map((extension) => `:(icase)*.${extension}`);
      const out = this.output(['grep', '-z', '-l', '-a', '-F', '--no-textconv', ...words.flatMap((word) => ['-e', word]), '--', ...pathspecs]);
      return new Set(out.toString('utf8').split('\0').filter((path) => path.length > 0));
    } catch (error) {
      // git grep exits 1 when nothing matches.
      return (error as { status?: number }).status === 1 ? new Set() : null;
    }
  }
}
