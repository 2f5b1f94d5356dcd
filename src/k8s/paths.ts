/** Root-relative, `/`-separated paths as the renderers use them. */

export function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** `dir` joined with a relative `name`, `.` and `..` resolved; a result that leaves the root starts with `..`. */
export function joinPath(dir: string, name: string): string {
  const parts = (dir ? `${dir}/${name}` : name).split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0 || out[out.length - 1] === '..') out.push('..');
      else out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

/** Whether `path` is `dir` itself or lies under it (`''` is the root, which holds everything). */
export function isInside(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(`${dir}/`);
}

/** Whether a joined path leaves the root. */
export function isOutside(path: string): boolean {
  return path === '..' || path.startsWith('../');
}

/** The deepest folder of a set holding `path`, or null: walks up the path's parents. */
export function folderOf(path: string, folders: ReadonlySet<string>): string | null {
  let dir = dirname(path);
  for (;;) {
    if (folders.has(dir)) return dir;
    if (dir === '') return null;
    dir = dirname(dir);
  }
}
