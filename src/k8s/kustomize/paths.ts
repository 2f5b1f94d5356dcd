import type { FileSource } from '../files.js';

/** The file names kustomize recognises, in the order it tries them (konfig.RecognizedKustomizationFileNames). */
export const kustomizationFileNames = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

export function isKustomizationPath(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return (kustomizationFileNames as readonly string[]).includes(name);
}

export function dirnameOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at < 0 ? '' : path.slice(0, at);
}

/**
 * `relative` resolved against the folder `dir` (root-relative, `/` separators), `.` and `..` folded. Null when it
 * climbs above the repository root.
 */
export function joinPath(dir: string, relative: string): string | null {
  const parts = relative.startsWith('/') ? [] : dir.split('/').filter((part) => part !== '' && part !== '.');
  for (const part of relative.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

/** True when `path` is `dir` or inside it. */
export function isWithin(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(`${dir}/`);
}

const urlScheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const scpLike = /^[\w.-]+@[\w.-]+:/;
const knownHosts = ['github.com/', 'gitlab.com/', 'bitbucket.org/', 'dev.azure.com/', 'ssh.dev.azure.com/'];

/**
 * A resource that kustomize would fetch: a URL (`https://…`, `ssh://…`, `git::…`), an scp-like git address
 * (`git@github.com:org/repo`), or a repository path on a known host (`github.com/org/repo//dir?ref=v1`).
 */
export function isRemote(entry: string): boolean {
  if (urlScheme.test(entry) || scpLike.test(entry) || entry.startsWith('git::')) return true;
  if (knownHosts.some((host) => entry.startsWith(host))) return true;
  return /\?(ref|version|timeout|submodules)=/.test(entry) || entry.includes('.visualstudio.com/');
}

/** The kustomization files in a folder (more than one is an error for kustomize). */
export function kustomizationFilesIn(files: FileSource, dir: string): string[] {
  return kustomizationFileNames.map((name) => (dir === '' ? name : `${dir}/${name}`)).filter((path) => files.has(path));
}

/** True when the folder holds at least one file. */
export function isFolder(files: FileSource, dir: string): boolean {
  return dir === '' || files.list(dir).length > 0;
}
