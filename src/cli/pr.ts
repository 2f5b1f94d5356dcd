import { resolve } from 'node:path';
import { CommanderError, Option, type Command } from 'commander';
import type { ScanOptions } from '../run.js';
import { Pod2wiError, UsageError } from '../model/errors.js';
import { fixPhases, type FixApplier, type FixPhase } from '../pr/applier.js';
import type { AzureDevOpsScheme } from '../pr/azure-devops.js';
import type { GitAuthor } from '../pr/git.js';
import { groupings, type Grouping } from '../pr/groups.js';
import type { GroupOutcome, PrResult } from '../pr/index.js';
import { baseUrl, type FetchFunction, type PullRequestProvider } from '../pr/provider.js';
import { Redactor } from '../pr/redact.js';
import type { Io } from './output.js';
import { addScanOptions, scanOptions, type ScanFlags } from './scan.js';

interface PrFlags extends ScanFlags {
  readonly phase: FixPhase;
  readonly provider: 'github' | 'azure-devops';
  readonly repo?: string;
  readonly org?: string;
  readonly project?: string;
  readonly base: string;
  readonly remote: string;
  readonly groupBy: Grouping;
  readonly maxPrs?: string;
  readonly draft?: boolean;
  readonly dryRun?: boolean;
  readonly apiUrl?: string;
  readonly author: string;
  readonly migrationFile: string;
}

/** What `pod2wi pr` is built from; tests replace them. */
export interface PrCliDependencies {
  readonly createApplier: (scan: ScanOptions) => FixApplier;
  readonly fetch: FetchFunction;
}

/** The commit author when --author is not given (also the committer). */
export const defaultAuthor = 'pod2wi <pod2wi@users.noreply.github.com>';

/**
 * The fix stage as `pod2wi pr` uses it: scan the (reset) checkout again, plan the phase for the group's workloads,
 * write the verified changes. Refused writes are errors here: a pull request must carry the whole fix or nothing.
 */
export function createFixApplier(scan: ScanOptions): FixApplier {
  return {
    async apply({ root, phase, workloads }) {
      // Loaded on first use: the CLI starts without the scanning and fixing stages.
      const [{ analyze }, { planFix }, { writeChanges }] = await Promise.all([import('../run.js'), import('../fix/index.js'), import('../fix/edit.js')]);
      const analysis = await analyze({ ...scan, paths: [root], cwd: root });
      const plan = planFix(analysis, phase, { config: scan.config ?? null, cwd: root, ...(workloads ? { workloads } : {}) });
      const refused = writeChanges(analysis.root, plan.changes);
      if (refused.length > 0) {
        throw new Pod2wiError('internal', `pod2wi fix refused to write ${refused.map((item) => `${item.file} (${item.reason})`).join(', ')}`);
      }
      return {
        changedFiles: plan.changes.filter((change) => change.action !== 'delete').map((change) => change.file),
        deletedFiles: plan.changes.filter((change) => change.action === 'delete').map((change) => change.file),
        skipped: plan.skipped.map((item) => ({ workload: item.subject, reason: item.reason })),
      };
    },
  };
}

export const defaultPrDependencies: PrCliDependencies = {
  createApplier: createFixApplier,
  fetch: (input, init) => fetch(input, init),
};

/** A token and how it is sent, from the environment the CI sets. */
interface Token {
  readonly value: string;
  readonly variable: string;
  readonly scheme: AzureDevOpsScheme;
}

function readToken(provider: PrFlags['provider'], env: Io['env']): Token | null {
  const candidates: readonly [string, AzureDevOpsScheme][] = provider === 'github'
    ? [['GITHUB_TOKEN', 'basic'], ['GH_TOKEN', 'basic']]
    : [['AZURE_DEVOPS_TOKEN', 'basic'], ['SYSTEM_ACCESSTOKEN', 'bearer']];
  for (const [variable, scheme] of candidates) {
    const value = env[variable]?.trim();
    if (value) return { value, variable, scheme };
  }
  return null;
}

export function registerPr(program: Command, io: Io, setExit: (code: number) => void, dependencies: PrCliDependencies = defaultPrDependencies): void {
  const command = program
    .command('pr')
    .summary('open or update pull requests that apply one phase of the migration (GitHub, Azure DevOps)')
    .description(
      [
        // One paragraph per line: commander wraps them to the terminal.
        "Applies one phase of `pod2wi fix` on a branch built from the base branch, commits it with the plan as MIGRATION.md, pushes it with git and opens a pull request through the provider's REST API. Running it again updates the same branch and pull request, and does nothing when nothing changed. Your work tree must be clean and is never touched: the work happens in a temporary git work tree, removed afterwards.",
        '',
        'Tokens: GITHUB_TOKEN or GH_TOKEN (GitHub); AZURE_DEVOPS_TOKEN (a PAT) or SYSTEM_ACCESSTOKEN (Azure Pipelines). They reach git through its environment, for fetch and push only, and are never printed or stored.',
      ].join('\n'),
    );
  addScanOptions(command)
    .addOption(new Option('--phase <phase>', 'parallel (1: side by side), cutover (2), finalize (3: remove the proxy)').choices(fixPhases).makeOptionMandatory())
    .addOption(new Option('--provider <provider>', 'where the pull requests go').choices(['github', 'azure-devops']).makeOptionMandatory())
    .option('--repo <repo>', 'GitHub: owner/name; Azure DevOps: the repository (default: from the remote URL)')
    .option('--org <org>', 'Azure DevOps organization (https://dev.azure.com/ORG), when --api-url and SYSTEM_COLLECTIONURI are not set')
    .option('--project <project>', 'Azure DevOps project (default: from the remote URL, else SYSTEM_TEAMPROJECT)')
    .option('--base <branch>', 'the branch the pull requests target; fetched, never changed', 'main')
    .option('--remote <name>', 'the git remote to fetch from and push to', 'origin')
    .addOption(new Option('--group-by <grouping>', 'one pull request for the repository, or one per namespace, application or workload').choices(groupings).default('repo'))
    .option('--max-prs <n>', 'open at most N new pull requests in this run (existing ones are still updated)')
    .option('--draft', 'open new pull requests as drafts')
    .option('--dry-run', 'print the branch, commit and body of each pull request; push nothing, change nothing')
    .option('--api-url <url>', 'REST base URL: GitHub Enterprise Server https://HOST/api/v3, Azure DevOps Server https://HOST/tfs/COLLECTION (default: GITHUB_API_URL or SYSTEM_COLLECTIONURI, else the public service)')
    .option('--author <author>', 'commit author and committer, "Name <email>"', defaultAuthor)
    .option('--migration-file <path>', 'where the plan is committed, relative to PATH (grouped runs add -GROUP before .md)', 'MIGRATION.md')
    .option('--issuer <url>', 'the AKS OIDC issuer URL for the credential commands (else issuer in .pod2wi.yaml, else $AKS_OIDC_ISSUER)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ GITHUB_TOKEN=… pod2wi pr --phase parallel --provider github --repo contoso/orders-api',
        '  $ pod2wi pr deploy/ --phase parallel --provider github --group-by namespace --max-prs 3 --draft',
        '  $ pod2wi pr --phase cutover --provider azure-devops --org contoso --project shop --repo orders-api',
        '  $ pod2wi pr --phase parallel --provider github --dry-run',
        '',
        'Exit codes: 0 done (also when nothing changed), 2 usage or configuration error (dirty work tree, missing',
        'token, bad --repo, unknown base branch), 3 internal error or a failed push or provider call, 4 nothing to scan.',
      ].join('\n'),
    )
    .action(async (paths: string[], flags: PrFlags) => {
      const token = readToken(flags.provider, io.env);
      const redactor = new Redactor([token?.value, io.env.GITHUB_TOKEN, io.env.GH_TOKEN, io.env.AZURE_DEVOPS_TOKEN, io.env.SYSTEM_ACCESSTOKEN]);
      const out = (text: string) => io.stdout.write(redactor.redact(text));
      const err = (text: string) => io.stderr.write(redactor.redact(text));
      try {
        await run(paths, flags, token, redactor, out, err);
        setExit(0);
      } catch (error) {
        throw redactError(error, redactor);
      }
    });

  async function run(paths: string[], flags: PrFlags, token: Token | null, redactor: Redactor, out: (text: string) => void, err: (text: string) => void): Promise<void> {
    if (flags.issuer !== undefined && !/^https:\/\/\S+$/.test(flags.issuer)) throw new UsageError(`--issuer ${flags.issuer}: expected an https URL`);
    const dryRun = flags.dryRun === true;
    if (!token && !dryRun) {
      throw new UsageError(
        flags.provider === 'github'
          ? 'no token: set GITHUB_TOKEN or GH_TOKEN (permissions: contents write, pull requests write), or use --dry-run'
          : 'no token: set AZURE_DEVOPS_TOKEN (a PAT with Code read & write) or SYSTEM_ACCESSTOKEN (Azure Pipelines), or use --dry-run',
      );
    }
    const maxPrs = flags.maxPrs === undefined ? null : Number(flags.maxPrs);
    if (maxPrs !== null && (!Number.isInteger(maxPrs) || maxPrs < 0)) throw new UsageError(`--max-prs ${flags.maxPrs}: expected a whole number, 0 or more`);
    if (!/^(?!-)(?!.*\.\.)(?!.*\/\/)[^\s~^:?*[\\]+(?<![./])$/.test(flags.base) || flags.base.endsWith('.lock')) throw new UsageError(`--base ${flags.base}: not a valid branch name`);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(flags.remote)) throw new UsageError(`--remote ${flags.remote}: not a valid remote name`);
    const migrationFile = flags.migrationFile.replace(/\\/g, '/').replace(/^\.\//, '');
    if (migrationFile === '' || migrationFile.startsWith('/') || migrationFile.split('/').includes('..')) {
      throw new UsageError(`--migration-file ${flags.migrationFile}: expected a path inside the scanned folder`);
    }
    const author = parseAuthor(flags.author);
    const apiUrl = flags.apiUrl === undefined ? null : baseUrl(flags.apiUrl);
    if (flags.apiUrl !== undefined && apiUrl === null) throw new UsageError(`--api-url ${flags.apiUrl}: expected an http(s) URL`);

    // --app and --config name paths from here; the work happens in a temporary checkout elsewhere.
    const given = scanOptions(paths, flags, io);
    const scan: ScanOptions = {
      ...given,
      apps: (given.apps ?? []).map((app) => resolve(io.cwd, app)),
      config: given.config ? resolve(io.cwd, given.config) : null,
    };
    const applier = dependencies.createApplier(scan);
    // Only the provider asked for is loaded (the GitHub one brings its REST client).
    const providers: ProviderModules = flags.provider === 'github' ? { github: await import('../pr/github.js') } : { azure: await import('../pr/azure-devops.js') };
    const provider = (remoteUrl: string) => createProvider(providers, flags, apiUrl, token, remoteUrl, redactor, err);
    const [{ openPullRequests }, { phaseLabel }] = await Promise.all([import('../pr/index.js'), import('../pr/body.js')]);
    const result = await openPullRequests(
      {
        scan: { ...scan, paths: scan.paths.length > 0 ? scan.paths : ['.'] },
        phase: flags.phase,
        grouping: flags.groupBy,
        base: flags.base,
        remote: flags.remote,
        draft: flags.draft === true,
        dryRun,
        maxPrs,
        author,
        migrationFile,
      },
      {
        applier,
        provider,
        hasToken: token !== null,
        git: { env: io.env, redactor },
        onOutcome: (outcome) => out(dryRun ? renderDryRun(outcome) : renderOutcome(outcome)),
        onNote: (note) => err(`note: ${note}\n`),
      },
    );
    out(summary(result, phaseLabel(flags.phase), flags.phase, dryRun));
  }

  function createProvider(providers: ProviderModules, flags: PrFlags, apiUrl: string | null, token: Token | null, remoteUrl: string, redactor: Redactor, err: (text: string) => void): PullRequestProvider {
    const env = io.env;
    if (providers.github) {
      const { createGitHubProvider, githubWebUrl, parseGitHubRemote, publicGitHubApi } = providers.github;
      const fromRemote = parseGitHubRemote(remoteUrl);
      const named = flags.repo ?? (fromRemote ? `${fromRemote.owner}/${fromRemote.repo}` : env.GITHUB_REPOSITORY);
      if (!named) throw new UsageError(`cannot tell the GitHub repository from the remote URL: pass --repo owner/name`);
      const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(named);
      if (!match?.[1] || !match[2]) throw new UsageError(`--repo ${named}: expected owner/name`);
      const api = apiUrl ?? (env.GITHUB_API_URL ? baseUrl(env.GITHUB_API_URL) : publicGitHubApi);
      if (!api) throw new UsageError(`GITHUB_API_URL ${env.GITHUB_API_URL ?? ''}: expected an http(s) URL`);
      return createGitHubProvider({
        owner: match[1],
        repo: match[2],
        apiUrl: api,
        webUrl: githubWebUrl(api, env),
        token: token?.value ?? null,
        fetch: dependencies.fetch,
        redactor,
        warn: (line) => err(`warning: ${line}\n`),
      });
    }
    if (!providers.azure) throw new Error('the Azure DevOps provider was not loaded');
    const { createAzureDevOpsProvider, parseAzureDevOpsRemote } = providers.azure;
    const parsed = parseAzureDevOpsRemote(remoteUrl);
    const collection =
      apiUrl ??
      (flags.org ? `https://dev.azure.com/${encodeURIComponent(flags.org)}` : null) ??
      (env.SYSTEM_COLLECTIONURI ? baseUrl(env.SYSTEM_COLLECTIONURI) : null) ??
      parsed?.collectionUrl ??
      null;
    const project = flags.project ?? parsed?.project ?? env.SYSTEM_TEAMPROJECT;
    const repo = flags.repo ?? parsed?.repo ?? env.BUILD_REPOSITORY_NAME;
    const missing = [collection ? null : '--org (or --api-url)', project ? null : '--project', repo ? null : '--repo'].filter((item) => item !== null);
    if (!collection || !project || !repo) throw new UsageError(`cannot tell the Azure DevOps repository from the remote URL: pass ${missing.join(', ')}`);
    return createAzureDevOpsProvider({ collectionUrl: collection, project, repo, token: token?.value ?? null, scheme: token?.scheme ?? 'basic', fetch: dependencies.fetch, redactor });
  }
}

/** "Name <email>" → author; a usage error otherwise. */
export function parseAuthor(value: string): GitAuthor {
  // Split at the brackets first: one regular expression with a lazy name and spaces on both sides is cubic.
  const trimmed = value.trim();
  const open = trimmed.indexOf('<');
  const name = open < 0 ? '' : trimmed.slice(0, open).trim();
  const email = open < 0 || !trimmed.endsWith('>') ? '' : trimmed.slice(open + 1, -1);
  if (!name || /[<>]/.test(name) || !/^[^<>\s@]+@[^<>\s@]+$/.test(email)) throw new UsageError(`--author ${value}: expected "Name <email>"`);
  return { name, email };
}

function renderOutcome(outcome: GroupOutcome): string {
  const line = (verb: string, text: string) => `  ${verb.padEnd(12)} ${outcome.group.branch}  ${text}\n`;
  switch (outcome.kind) {
    case 'created':
      return line('created', `#${outcome.pullRequest.id} ${outcome.pullRequest.url}\n${' '.repeat(15)}${outcome.change.title}`);
    case 'updated':
      return line('updated', `#${outcome.pullRequest.id} ${outcome.pullRequest.url}  (${outcome.pushed ? 'new commit pushed, ' : ''}title and body edited)`);
    case 'up-to-date':
      return outcome.pushed
        ? line('pushed', `#${outcome.pullRequest.id} ${outcome.pullRequest.url}  (new commit on the new base; same title and body)`)
        : line('up to date', `#${outcome.pullRequest.id} ${outcome.pullRequest.url}`);
    case 'nothing-to-change':
      return line('no change', `nothing to change: no branch, no pull request${outcome.branchExists ? ' (the branch exists from an earlier run: merge or close its pull request, then delete it)' : ''}`);
    case 'limited':
      return line('not opened', `--max-prs ${outcome.limit} reached; a later run opens it`);
    case 'edited':
      return line('kept', `has commits by ${outcome.emails.join(', ')}: not overwritten (delete the branch to regenerate it)`);
    case 'dry-run':
      return '';
  }
}

function renderDryRun(outcome: GroupOutcome): string {
  if (outcome.kind !== 'dry-run') return renderOutcome(outcome);
  const { change } = outcome;
  const action = outcome.unchecked !== undefined
    ? `would open a pull request, or update the open one (could not check for an existing pull request: ${outcome.unchecked})`
    : outcome.existing === undefined
    ? 'would open a pull request, or update the open one (no token: existing pull requests not looked up)'
    : outcome.existing === null
      ? outcome.limited ? 'would not open a pull request (--max-prs reached)' : 'would open a pull request'
      : `would ${outcome.edit ? 'update' : 'leave'} #${outcome.existing.id} ${outcome.existing.url}${outcome.edit ? '' : ' (title and body unchanged)'}`;
  return [
    `=== ${change.branch} (dry run) ===`,
    `branch   ${change.branch}: ${outcome.push ? 'would be pushed' : 'already has this content; no push'}; ${action}`,
    'files',
    ...change.files.map(([status, path]) => `  ${status} ${path}`),
    'commit message',
    ...change.commitMessage.split('\n').map((line) => `  ${line}`.trimEnd()),
    `title    ${change.title}`,
    'body',
    change.body.trimEnd(),
    '',
    '',
  ].join('\n');
}

/** The provider module `pod2wi pr` loaded: the one of --provider. */
interface ProviderModules {
  readonly github?: typeof import('../pr/github.js');
  readonly azure?: typeof import('../pr/azure-devops.js');
}

function summary(result: PrResult, label: string, phase: FixPhase, dryRun: boolean): string {
  const head = `pod2wi pr · ${label} · ${result.provider} · base ${result.base} (${result.baseCommit.slice(0, 7)}) · ${result.root}`;
  if (result.outcomes.length === 0) return `${head}\nnothing to change: no workload is ready for ${phase} — no branch, no pull request\n`;
  const count = (kind: GroupOutcome['kind']) => result.outcomes.filter((outcome) => outcome.kind === kind).length;
  if (dryRun) {
    const prepared = count('dry-run');
    return `${head}\ndry run: ${prepared} pull request${prepared === 1 ? '' : 's'} prepared, ${count('nothing-to-change')} without changes; nothing pushed\n`;
  }
  const parts = [
    [count('created'), 'created'],
    [count('updated'), 'updated'],
    [count('up-to-date'), 'up to date'],
    [count('nothing-to-change'), 'with nothing to change'],
    [count('limited'), 'not opened (--max-prs)'],
    [count('edited'), 'kept (edited by someone else)'],
  ] as const;
  return `${head}\n${parts.filter(([n]) => n > 0).map(([n, label]) => `${n} ${label}`).join(' · ')}\n`;
}

/** The same error with every secret removed from its message (and stack), so the CLI can print it safely. */
function redactError(error: unknown, redactor: Redactor): unknown {
  if (error instanceof CommanderError) return error;
  if (error instanceof Pod2wiError) {
    const clean = new Pod2wiError(error.code, redactor.redact(error.message));
    clean.name = error.name;
    return clean;
  }
  if (error instanceof Error) {
    const clean = new Error(redactor.redact(error.message));
    clean.stack = redactor.redact(error.stack ?? error.message);
    return clean;
  }
  return new Error(redactor.redact(String(error)));
}
