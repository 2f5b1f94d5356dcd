import type { CredentialUse } from '../model/application.js';
import type { Repo } from '../walk/repo.js';
import { isInside } from '../k8s/paths.js';
import { languageOfPath } from './files.js';
import { dockerInstructions, instructionArguments, parseExecForm } from './shell.js';

/** Source files a container runs are named by these extensions in its commands. */
const runnable = /\.(py|js|mjs|cjs|ts|sh|bash|ps1|rb|pl)$/i;

/** A file a Dockerfile's RUN, CMD or ENTRYPOINT names, with the Dockerfile's folder and line. */
interface ContainerRun {
  readonly folder: string;
  /** The path as written, without a leading `./` or `/`: `app/tests/smoke.py`. */
  readonly path: string;
  readonly file: string;
  readonly line: number;
}

/**
 * A file under a test folder that a Dockerfile copies and runs (`CMD ["python", "tests/smoke.py"]`) is code the
 * container runs, not a test: its uses count. A command's word names a file of the Dockerfile's folder when the
 * file's path ends with the word's path (the container's own prefix, such as `/app/`, dropped), on whole segments.
 */
export function markContainerRuns(uses: CredentialUse[], repo: Repo): CredentialUse[] {
  if (!uses.some((use) => use.test)) return uses;
  const runs: ContainerRun[] = [];
  for (const file of repo.files) {
    if (languageOfPath(file.path) !== 'dockerfile') continue;
    const text = repo.read(file.path, { cache: false })?.text;
    if (text === undefined) continue;
    const slash = file.path.lastIndexOf('/');
    const folder = slash < 0 ? '' : file.path.slice(0, slash);
    for (const { line, words } of commandWords(text)) {
      for (const word of words) {
        const path = word.replace(/^\.?\/+/, '');
        if (runnable.test(path) && !path.includes('$')) runs.push({ folder, path, file: file.path, line });
      }
    }
  }
  if (runs.length === 0) return uses;
  return uses.map((use) => {
    if (!use.test) return use;
    const run = runs.find((candidate) => (candidate.folder === '' || isInside(use.file, candidate.folder)) && endsWithPath(use.file, candidate.path));
    return run ? { ...use, test: false, detail: `${use.detail}${use.detail ? '; ' : ''}run by ${run.file}:${run.line}` } : use;
  });
}

/** Whether `file` ends with `path` on whole segments, trying shorter tails of `path` down to its last two segments. */
function endsWithPath(file: string, path: string): boolean {
  const segments = path.split('/').filter(Boolean);
  const minimum = Math.min(2, segments.length);
  for (let take = segments.length; take >= minimum; take--) {
    const tail = segments.slice(segments.length - take).join('/');
    if (file === tail || file.endsWith(`/${tail}`)) return true;
  }
  return false;
}

/** The words of each RUN, CMD and ENTRYPOINT instruction (exec form, else split on blanks and separators), with its line. */
function commandWords(text: string): { line: number; words: string[] }[] {
  const { instructions, escape } = dockerInstructions(text);
  return instructions
    .filter((instruction) => instruction.keyword === 'RUN' || instruction.keyword === 'CMD' || instruction.keyword === 'ENTRYPOINT')
    .map((instruction) => {
      const rest = instructionArguments(instruction, '\n');
      const words = parseExecForm(rest) ?? rest.replaceAll(escape, ' ').split(/[\s;&|]+/).map((word) => word.replace(/^["']|["']$/g, ''));
      return { line: instruction.start + 1, words };
    });
}
