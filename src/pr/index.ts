import { existsSync, lstatSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { writeChanges } from '../fix/edit.js';
import { decodeUtf8, readRegularFile } from '../io/read-file.js';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { RemoteError, UsageError } from '../model/errors.js';
import { shellQuote } from '../report/plan-shell.js';
import { analyze, type ScanOptions } from '../run.js';
import { isInside } from '../walk/walk.js';
import { toolVersion } from '../version.js';
import type { FixApplier, FixPhase, FixResult } from './applier.js';
import { migrationMarker, renderBody, renderCommitMessage, renderMigration, renderTitle, type PullRequestContext } from './body.js';
import { Git, type GitAuthor, type GitContext, type GitHttpAuth } from './git.js';
import { groupWorkloads, type Grouping, type WorkloadGroup } from './groups.js';
import { sameText, type PullRequest, type PullRequestProvider } from './provider.js';

/** What `pod2wi pr` was asked to do. */
export interface PrOptions {
  /** The scan as the user gave it; paths are mapped into the temporary work tree. */
  readonly scan: ScanOptions;
  readonly phase: FixPhase;
  readonly grouping: Grouping;
  /** The branch pull requests target; it is fetched, never changed. */
  readonly base: string;
  readonly remote: string;
  readonly draft: boolean;
  readonly dryRun: boolean;
  /** How many new pull requests one run may open (updates do not count); null: no limit. */
  readonly maxPrs: number | null;
  readonly author: GitAuthor;
  /** Where the plan is committed, relative to the scanned root; grouped runs add `-<group>` before the extension. */
  readonly migrationFile: string;
}

/** What `pod2wi pr` works with; the CLI builds the real ones, tests pass their own. */
export interface PrDependencies {
  readonly applier: FixApplier;
  /** The provider for the remote's URL (it may derive the repository from it). */
  readonly provider: (remoteUrl: string) => PullRequestProvider;
  /** A token is available: provider reads happen in a dry run only with one. */
  readonly hasToken: boolean;
  /** Environment and redaction for git; auth headers are added here from the provider. */
  readonly git: Omit<GitContext, 'auth'>;
  /** Called as each group is done, so progress shows before a later group fails. */
  readonly onOutcome?: (outcome: GroupOutcome) => void;
  /** Called for remarks that do not stop the run. */
  readonly onNote?: (note: string) => void;
}

/** A pull request pod2wi prepared, for reporting. */
export interface PreparedChange {
  readonly branch: string;
  readonly title: string;
  readonly body: string;
  readonly commitMessage: string;
  /** `[git status letter, path]`, repository-relative. */
  readonly files: readonly (readonly [string, string])[];
  readonly commit: string;
}

/** How one group ended. */
export type GroupOutcome =
  | { readonly kind: 'created' | 'updated' | 'up-to-date'; readonly group: WorkloadGroup; readonly change: PreparedChange; readonly pullRequest: PullRequest; readonly pushed: boolean }
  | { readonly kind: 'nothing-to-change'; readonly group: WorkloadGroup; readonly fix: FixResult; readonly branchExists: boolean }
  | { readonly kind: 'limited'; readonly group: WorkloadGroup; readonly change: PreparedChange; readonly limit: number }
  | { readonly kind: 'edited'; readonly group: WorkloadGroup; readonly change: PreparedChange; readonly emails: readonly string[] }
  | {
      readonly kind: 'dry-run';
      readonly group: WorkloadGroup;
      readonly change: PreparedChange;
      /** Whether the branch would be pushed (false: the remote branch has the same tree). */
      readonly push: boolean;
      /** The open pull request found, null when none, undefined when not looked up (no token, or no answer). */
      readonly existing: PullRequest | null | undefined;
      /** Why the open pull requests could not be looked up (the forge did not answer); absent when they were. */
      readonly unchecked?: string;
      /** The existing pull request's title or body would change. */
      readonly edit: boolean;
      /** Would not be opened because of --max-prs. */
      readonly limited: boolean;
    };

/** The result of a run. */
export interface PrResult {
  readonly provider: string;
  readonly base: string;
  /** The base commit the branches are built on. */
  readonly baseCommit: string;
  /** The scanned root, as the report shows it. */
  readonly root: string;
  readonly outcomes: readonly GroupOutcome[];
}

/**
 * `pod2wi pr`: turns one phase of `pod2wi fix` into pull requests. The user's work tree must be clean and is never
 * touched: everything happens in a temporary work tree checked out at `<remote>/<base>`, removed on success and on
 * failure. Per group: apply the fix, commit it with the plan as MIGRATION.md, push it with a lease (only when the
 * tree differs from the remote branch), then create the pull request or update its title and body (only when they
 * differ). A group with nothing to change gets no branch and no pull request.
 */
export async function openPullRequests(options: PrOptions, deps: PrDependencies): Promise<PrResult> {
  const cwd = options.scan.cwd;
  const first = resolve(cwd, options.scan.paths[0] ?? '.');
  const probe = !existsSync(first) ? cwd : isDirectory(first) ? first : dirname(first);
  const local = new Git(probe, { ...deps.git, auth: [] });
  const top = realpathSync(await local.topLevel());
  const repo = local.at(top);
  const scan = mapScanOptions(options.scan, top);

  const dirty = await repo.changes();
  if (dirty.length > 0) {
    const shown = dirty.slice(0, 5).map((entry) => `  ${entry}`).join('\n');
    throw new UsageError(`the work tree has uncommitted changes; commit or stash them first (git stash --include-untracked):\n${shown}${dirty.length > 5 ? `\n  … ${dirty.length - 5} more` : ''}`);
  }

  const fetchUrl = await repo.remoteUrl(options.remote, false);
  const pushUrl = await repo.remoteUrl(options.remote, true);
  const provider = deps.provider(fetchUrl);
  const auth = uniqueAuth([provider.gitAuth(fetchUrl), provider.gitAuth(pushUrl)]);
  const git = new Git(top, { ...deps.git, auth });

  const tracking = (branch: string) => `refs/remotes/${options.remote}/${branch}`;
  let offline = false;
  try {
    await git.fetch(options.remote, [`+refs/heads/${options.base}:${tracking(options.base)}`, `+refs/heads/pod2wi/*:${tracking('pod2wi/*')}`], true);
  } catch (error) {
    if (error instanceof RemoteError && /couldn't find remote ref/i.test(error.message)) {
      throw new UsageError(`base branch "${options.base}" not found on remote ${options.remote} (pass --base)`);
    }
    if (options.dryRun && error instanceof RemoteError) {
      // Offline: preview from what the last fetch left, else from the local base branch.
      offline = true;
      deps.onNote?.(`could not reach ${options.remote} (${error.message.split('\n')[0] ?? ''}); the dry run builds from the last fetched ${options.remote}/${options.base}, or the local ${options.base}`);
    } else if (error instanceof RemoteError && auth.length === 0 && /could not read Username|Authentication failed|terminal prompts disabled/i.test(error.message)) {
      throw new RemoteError(`${error.message} (the remote wants credentials: set the provider's token variable and pod2wi hands it to git)`);
    } else {
      throw error;
    }
  }
  const baseCommit = (await git.resolve(tracking(options.base))) ?? (offline ? await git.resolve(`refs/heads/${options.base}`) : null);
  if (!baseCommit) throw new UsageError(`base branch "${options.base}" not found on remote ${options.remote} (pass --base)`);
  await refuseMixedGrouping(git, tracking(`pod2wi/${options.phase}`), options);
  const head = await git.resolve('HEAD');
  if (head && head !== baseCommit) {
    const ahead = await git.count(`${baseCommit}..${head}`);
    if (ahead > 0) deps.onNote?.(`HEAD has ${ahead} commit${ahead === 1 ? '' : 's'} not on ${options.remote}/${options.base}; the pull requests are built from ${options.remote}/${options.base}`);
  }

  const scratch = makeScratchFolder(top);
  const outcomes: GroupOutcome[] = [];
  try {
    await git.addWorktree(scratch, baseCommit);
    const worktree = git.at(scratch);
    const analysis = await analyze({ ...scan, cwd: scratch });
    const root = analysis.root;
    const rootPrefix = toPosix(relative(scratch, root));
    const prefix = rootPrefix === '' ? '' : `${rootPrefix}/`;
    // Paths relative to the repository top, so the body reads the same from any checkout.
    const apps = (options.scan.apps ?? []).flatMap((app) => ['--app', toPosix(relative(top, resolve(cwd, app))) || '.']);
    const commandFor = (phase: FixPhase) =>
      ['pod2wi pr', ...scan.paths.filter((path) => path !== '.'), ...apps, '--phase', phase, '--provider', provider.kind, ...(options.grouping === 'repo' ? [] : ['--group-by', options.grouping])]
        .map((word, i) => (i === 0 ? word : shellQuote(word)))
        .join(' ');
    const groups = groupWorkloads(analysis.report, analysis.plan, options.phase, options.grouping);
    let opened = 0;
    for (const group of groups) {
      await worktree.resetTo(baseCommit);
      const migrationFile = migrationFileFor(options.migrationFile, group);
      const migrationTarget = join(root, ...migrationFile.split('/'));
      const previous = readMigration(migrationTarget, `${prefix}${migrationFile}`);
      if (previous !== null && !previous.startsWith(migrationMarker)) {
        throw new UsageError(`${prefix}${migrationFile} exists and was not written by pod2wi; pass --migration-file to put the plan elsewhere`);
      }
      const fix = await deps.applier.apply({ root, phase: options.phase, workloads: group.workloads });
      const staged = await worktree.stageAll();
      const branchExists = (await git.resolve(tracking(group.branch))) !== null;
      if (staged.length === 0) {
        const outcome: GroupOutcome = { kind: 'nothing-to-change', group, fix, branchExists };
        outcomes.push(outcome);
        deps.onOutcome?.(outcome);
        continue;
      }
      const migrationPath = `${prefix}${migrationFile}`;
      const present = readMigration(migrationTarget, migrationPath);
      const files = [...staged.filter(([, path]) => path !== migrationPath), [present !== null ? 'M' : 'A', migrationPath] as const]
        .sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      const context: PullRequestContext = {
        report: analysis.report,
        plan: analysis.plan,
        phase: options.phase,
        group,
        fix,
        files,
        rootPrefix: prefix,
        migrationPath,
        migrationUrl: provider.fileUrl(group.branch, migrationPath),
        commandFor,
        version: toolVersion,
      };
      // Through the fix's writer: no link on the way (the base branch could hold one), atomic, inside the root.
      makeFolders(root, dirname(migrationFile));
      const refused = writeChanges(root, [{ file: migrationFile, action: present === null ? 'create' : 'edit', before: present ?? '', after: renderMigration(context), bom: false, edits: [] }]);
      if (refused.length > 0) throw new UsageError(`cannot write ${prefix}${migrationFile}: ${refused.map((item) => item.reason).join('; ')}`);
      const commitMessage = renderCommitMessage(context);
      const commit = await worktree.commitAll(commitMessage, options.author);
      const change: PreparedChange = { branch: group.branch, title: renderTitle(context), body: renderBody(context, provider.bodyLimit), commitMessage, files, commit };

      const outcome = await publish({ options, deps, git, provider, group, change, baseCommit, remoteRef: tracking(group.branch), opened });
      if ((outcome.kind === 'created') || (outcome.kind === 'dry-run' && !outcome.existing && !outcome.limited)) opened++;
      outcomes.push(outcome);
      deps.onOutcome?.(outcome);
    }
    return { provider: provider.display, base: options.base, baseCommit, root: analysis.report.root, outcomes };
  } finally {
    await git.removeWorktree(scratch);
    rmSync(scratch, { recursive: true, force: true });
  }
}

interface PublishInput {
  readonly options: PrOptions;
  readonly deps: PrDependencies;
  readonly git: Git;
  readonly provider: PullRequestProvider;
  readonly group: WorkloadGroup;
  readonly change: PreparedChange;
  readonly baseCommit: string;
  readonly remoteRef: string;
  readonly opened: number;
}

/** Pushes the commit and creates or updates the pull request, each only when needed; in a dry run, says what it would do. */
async function publish(input: PublishInput): Promise<GroupOutcome> {
  const { options, deps, git, provider, group, change } = input;
  const remoteCommit = await git.resolve(input.remoteRef);
  const sameTree = remoteCommit !== null && (await git.tree(remoteCommit)) === (await git.tree(change.commit));
  let existing: PullRequest | null | undefined;
  let unchecked: string | undefined;
  if (!options.dryRun) existing = await provider.find(group.branch, options.base);
  else if (deps.hasToken) {
    // A dry run previews offline too: a forge that does not answer leaves the lookup undone, and says so.
    try {
      existing = await provider.find(group.branch, options.base);
    } catch (error) {
      unchecked = error instanceof Error ? error.message : String(error);
    }
  }
  const edit = existing ? !sameText(existing.title, change.title) || !sameText(existing.body, change.body) : false;
  const limited = !existing && options.maxPrs !== null && input.opened >= options.maxPrs;

  if (remoteCommit !== null && !sameTree) {
    // Someone else's commits on the branch are never overwritten: a reviewer's fix-up or a merge from the base.
    const own = options.author.email.toLowerCase();
    const emails = (await git.emails(`${input.baseCommit}..${remoteCommit}`)).filter((email) => email.toLowerCase() !== own);
    if (emails.length > 0) return { kind: 'edited', group, change, emails };
  }
  if (options.dryRun) return { kind: 'dry-run', group, change, push: !sameTree, existing, edit, limited, ...(unchecked ? { unchecked } : {}) };
  if (limited) return { kind: 'limited', group, change, limit: options.maxPrs ?? 0 };

  if (!sameTree) await git.push(options.remote, change.commit, group.branch, remoteCommit);
  if (existing) {
    if (!edit) return { kind: 'up-to-date', group, change, pullRequest: existing, pushed: !sameTree };
    const updated = await provider.update(existing.id, { title: change.title, body: change.body });
    return { kind: 'updated', group, change, pullRequest: updated, pushed: !sameTree };
  }
  const created = await provider.create({ head: group.branch, base: options.base, title: change.title, body: change.body, draft: options.draft });
  return { kind: 'created', group, change, pullRequest: created, pushed: !sameTree };
}

/**
 * Git cannot hold `pod2wi/<phase>` and `pod2wi/<phase>/<group>` at once (one ref would be a folder of the other), so a
 * run whose grouping differs from the branches already on the remote stops before it changes anything.
 */
async function refuseMixedGrouping(git: Git, phaseRef: string, options: PrOptions): Promise<void> {
  const found = await git.refs(phaseRef);
  const conflicting = options.grouping === 'repo' ? found.filter((ref) => ref !== phaseRef) : found.filter((ref) => ref === phaseRef);
  if (conflicting.length === 0) return;
  const branches = conflicting.map((ref) => ref.replace(/^refs\/remotes\/[^/]+\//, ''));
  const phaseBranch = `pod2wi/${options.phase}`;
  throw new UsageError(
    `${options.remote} has ${branches.slice(0, 3).join(', ')}${branches.length > 3 ? ` and ${branches.length - 3} more` : ''} from a run ${options.grouping === 'repo' ? 'with' : 'without'} --group-by; ` +
      `git cannot keep ${phaseBranch} and ${phaseBranch}/<group> side by side: use the same grouping as before, or finish those pull requests and delete their branches first`,
  );
}

/** `MIGRATION.md`, or `MIGRATION-<group>.md` when grouping, so the pull requests of one run do not conflict. */
export function migrationFileFor(file: string, group: WorkloadGroup): string {
  if (group.slug === null) return file;
  const name = basename(file);
  const dot = name.lastIndexOf('.');
  const grouped = dot > 0 ? `${name.slice(0, dot)}-${group.slug}${name.slice(dot)}` : `${name}-${group.slug}`;
  const folder = dirname(file);
  return folder === '.' ? grouped : `${folder}/${grouped}`;
}

/** The most bytes of an existing MIGRATION.md read back (pod2wi's own are far smaller). */
const maxMigrationBytes = 16 * 1024 * 1024;

/** The text of the plan file at `path`, or null when there is none; a link, FIFO or device there is a usage error. */
function readMigration(path: string, display: string): string | null {
  const read = readRegularFile(path, { maxBytes: maxMigrationBytes, noFollow: true, checkFilesystem: false });
  if (read.ok) return decodeUtf8(read.bytes).text;
  if (read.reason === 'not-found') return null;
  throw new UsageError(`${display}: ${read.detail}; pass --migration-file to put the plan elsewhere`);
}

/** Creates the folders of a root-relative path one by one, refusing a link or a file on the way. */
function makeFolders(root: string, folder: string): void {
  let current = root;
  for (const part of folder.split('/').filter((name) => name !== '' && name !== '.')) {
    current = join(current, part);
    let stat: ReturnType<typeof lstatSync> | null = null;
    try {
      stat = lstatSync(current);
    } catch {
      stat = null;
    }
    if (stat === null) mkdirSync(current);
    else if (stat.isSymbolicLink() || !stat.isDirectory()) throw new UsageError(`${relative(root, current)}: not a folder (a link or a file), so the plan cannot be written under it`);
  }
}

/**
 * The scan options for the temporary work tree: scan paths and in-repository `--app` and `--config` paths become
 * repository-relative (so reports and plans read as from the repository top, run after run); paths outside the
 * repository stay absolute. A scan path outside the repository is a usage error.
 */
function mapScanOptions(scan: ScanOptions, top: string): Omit<ScanOptions, 'cwd'> {
  const inside = (path: string): string | null => {
    const absolute = resolve(scan.cwd, path);
    const real = existsSync(absolute) ? realpathSync(absolute) : absolute;
    const rel = relative(top, real);
    return rel === '' ? '.' : !isInside(top, real) ? null : toPosix(rel);
  };
  const paths = (scan.paths.length > 0 ? scan.paths : ['.']).map((path) => {
    const rel = inside(path);
    if (rel === null) throw new UsageError(`${path}: outside the git repository ${top}`);
    return rel;
  });
  const keep = (path: string) => inside(path) ?? resolve(scan.cwd, path);
  return {
    ...scan,
    paths,
    apps: (scan.apps ?? []).map(keep),
    config: scan.config ? keep(scan.config) : null,
  };
}

/**
 * An empty folder for the temporary work tree, next to the repository when possible: relative paths from the scan
 * root to checkouts beside the repository (`--app ../orders-api`) then read the same as from the repository itself.
 */
function makeScratchFolder(top: string): string {
  try {
    return realpathSync(mkdtempSync(join(dirname(top), `.${basename(top)}.pod2wi-`)));
  } catch {
    return realpathSync(mkdtempSync(join(tmpdir(), 'pod2wi-pr-')));
  }
}

function uniqueAuth(entries: readonly (GitHttpAuth | null)[]): GitHttpAuth[] {
  const found = new Map<string, GitHttpAuth>();
  for (const entry of entries) if (entry) found.set(entry.urlPrefix, entry);
  return [...found.values()];
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}
