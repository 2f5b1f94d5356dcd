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
