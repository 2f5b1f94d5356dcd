/**
 * A path relative to the folder of `from` (a root-relative file path with `/` separators), normalised; null when it
 * leaves the repository root or is absolute or remote (a URL, a registry reference).
 */
export function joinPath(from: string, relative: string): string | null {
  if (relative === '' || relative.startsWith('/') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(relative)) return null;
  const parts = from.split('/').slice(0, -1);
  for (const segment of relative.replace(/\\/g, '/').split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else {
      parts.push(segment);
    }
  }
  return parts.join('/');
}

/** The folder of a root-relative path ('' for a file at the root). */
export function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** A path relative to the repository root, normalised; null when it leaves the root. */
export function fromRoot(relative: string): string | null {
  return joinPath('.root', relative);
}
