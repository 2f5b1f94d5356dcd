import { resolve } from 'node:path';
import { loadConfig } from '../config/config.js';
import { loadDependencyKnowledge } from '../deps/knowledge.js';
import { sortFindings, type Finding } from '../model/finding.js';
import { FindingSink } from '../model/findings-sink.js';
import { decide } from '../plan/decide.js';
import { findImageBuilds } from '../plan/images.js';
import { linkApplications } from '../plan/link.js';
import { sdkKnowledge } from '../plan/sdk.js';
import { loadFindingCatalogue } from '../rules/catalogue.js';
import type { Analysis } from '../run.js';
import { applyEdits, dedupeEdits, EditConflictError, sortEdits, type Edit, type FileChange } from './edit.js';
import { fileModel } from './file-model.js';
import { findTargets, runPhase, type Phase, type PhaseContext, type Skip } from './phases.js';
import { intentKey, verifyChange, type Intent } from './verify.js';
import type { Work } from './work.js';
import { Workspace } from './workspace.js';

export { nextPhase, phases, type Phase } from './phases.js';

export interface FixOptions {
  /** A configuration file other than <root>/.pod2wi.yaml, resolved from `cwd` (the verdicts of finalize use it). */
  readonly config?: string | null;
  readonly cwd?: string;
  /** Edit only these workloads (ids as the scan reports them); all when absent. */
  readonly workloads?: readonly string[];
}

/** What one phase changes, file by file, and what it leaves alone and why. */
export interface FixPlan {
  readonly phase: Phase;
  /** Verified changes, sorted by path. */
  readonly changes: readonly FileChange[];
  /** The workloads (and pod-identity files, patches) edited, with the files each touches. */
  readonly edited: readonly { readonly subject: string; readonly files: readonly string[] }[];
  /** Workloads and objects that get no edit, with why. */
  readonly skipped: readonly { readonly subject: string; readonly reason: string; readonly file: string; readonly line: number }[];
  readonly findings: readonly Finding[];
}

/**
 * Plans one phase of the migration over an analysis: every edit as a byte range, applied in memory, re-parsed and
 * checked to carry exactly its intended change. A subject (workload) whose edits do not all verify gets none, and a
 * finding; the rest go on. Writes nothing: `writeChanges` does, from the result.
 */
export function planFix(analysis: Analysis, phase: Phase, options: FixOptions = {}): FixPlan {
  const selection = new Set(options.workloads ?? []);
  const workspace = new Workspace(analysis.repo, analysis.manifests);
  const context: PhaseContext = {
    analysis,
    workspace,
    targets: findTargets(analysis),
    decideAgain: verdicts(analysis, options),
    selected: options.workloads ? (target) => selection.has(target.report.id) : () => true,
  };
  const result = runPhase[phase](context);
  const skipped: Skip[] = [...result.skipped];
  const notes = [...result.notes];
  let works: Work[] = [];
  for (const work of result.works) {
    notes.push(...work.notes);
    if (work.declined) skipped.push({ workload: work.owner, reason: work.declined.reason, at: work.at, id: work.declined.id });
    else if (!work.empty) works.push(work);
  }

  let changes: FileChange[] = [];
  for (let round = 0; round <= works.length; round++) {
    const outcome = applyWorks(workspace, works);
    changes = outcome.changes;
    if (outcome.failures.length === 0) break;
    const failed = new Set<string>();
    for (const failure of outcome.failures) {
      for (const owner of failure.owners) {
        if (failed.has(owner)) continue;
        failed.add(owner);
        const work = works.find((item) => item.owner === owner);
        skipped.push({ workload: owner, reason: `${failure.file}: ${failure.reason}; nothing was changed for it`, at: work?.at ?? { file: failure.file, line: 1, column: 1 }, id: 'fix-not-applied' });
      }
    }
    works = works.filter((work) => !failed.has(work.owner));
  }

  const sink = new FindingSink(loadFindingCatalogue());
  for (const skip of skipped) sink.add(skip.id, skip.at, `${skip.workload}: ${skip.reason}`);
  for (const note of notes) sink.add(note.id, note.at, note.message);
  const ordered = [...skipped].sort((a, b) => (a.workload < b.workload ? -1 : a.workload > b.workload ? 1 : 0));
  return {
    phase,
    changes,
    edited: works.map((work) => ({ subject: work.owner, files: work.touched })).sort((a, b) => (a.subject < b.subject ? -1 : 1)),
    skipped: ordered.map((skip) => ({ subject: skip.workload, reason: skip.reason, file: skip.at.file, line: skip.at.line })),
    findings: sortFindings(sink.all),
  };
}

/** The verdict of a workload decided again (finalize), with the same inputs the plan used. */
function verdicts(analysis: Analysis, options: FixOptions): PhaseContext['decideAgain'] {
  let cached: ((report: Parameters<PhaseContext['decideAgain']>[0]) => ReturnType<PhaseContext['decideAgain']>) | null = null;
  return (report) => {
    if (!cached) {
      const config = loadConfig(analysis.root, options.config ? resolve(options.cwd ?? process.cwd(), options.config) : null);
      const builds = findImageBuilds(analysis.repo);
      const sdk = sdkKnowledge(loadDependencyKnowledge());
      const applications = analysis.report.applications;
      cached = (workload) =>
        decide(
          workload,
          linkApplications(workload, {
            applications,
            builds,
            configured: config.config.applications ?? [],
            configLine: (index) => (config.file ? { file: config.file, line: config.lineOf(['applications', index]) } : null),
          }),
          applications,
          { sdk, betweenVersions: config.config.policy?.betweenVersions ?? 'latest', restrictedNamespaces: new Map() },
        );
    }
    return cached(report);
  };
}

interface Failure {
  readonly file: string;
  readonly reason: string;
  readonly owners: readonly string[];
}

/** Merges every owner's edits file by file, applies them in memory and verifies each result. */
function applyWorks(workspace: Workspace, works: readonly Work[]): { changes: FileChange[]; failures: Failure[] } {
  const edits = new Map<string, { edits: Edit[]; intents: Intent[]; owners: Set<string> }>();
  const creates = new Map<string, { texts: Set<string>; docs: unknown[]; owners: Set<string> }>();
  const deletes = new Map<string, Set<string>>();
  for (const work of works) {
    for (const [file, entry] of work.files) {
      const merged = edits.get(file) ?? { edits: [], intents: [], owners: new Set<string>() };
      merged.edits.push(...entry.edits);
      merged.intents.push(...entry.intents);
      merged.owners.add(work.owner);
      edits.set(file, merged);
    }
    for (const created of work.creates) {
      const merged = creates.get(created.file) ?? { texts: new Set<string>(), docs: [...created.docs], owners: new Set<string>() };
      merged.texts.add(created.text);
      merged.owners.add(work.owner);
      creates.set(created.file, merged);
    }
    for (const file of work.deletes) deletes.set(file, (deletes.get(file) ?? new Set()).add(work.owner));
  }
  const changes: FileChange[] = [];
  const failures: Failure[] = [];
  for (const [file, owners] of deletes) {
    const refusal = workspace.refusal(file);
    if (refusal) {
      failures.push({ file, reason: refusal, owners: [...owners, ...(edits.get(file)?.owners ?? [])] });
      continue;
    }
    const model = workspace.model(file);
    const also = edits.get(file)?.owners ?? new Set<string>();
    if (!model || also.size > 0) {
      failures.push({ file, reason: model ? 'edited and deleted in the same run' : 'cannot be read', owners: [...owners, ...also] });
      continue;
    }
    changes.push({ file, action: 'delete', before: model.text, after: '', bom: model.bom, ...lineBreaksOf(workspace, file), edits: [{ file, start: 0, end: model.text.length, expect: model.text, text: '', why: 'the file held only objects that are removed' }] });
  }
  for (const [file, created] of creates) {
    const [text, ...others] = [...created.texts];
    if (text === undefined || others.length > 0 || workspace.exists(file)) {
      failures.push({ file, reason: others.length > 0 ? 'two different new files at one path' : 'already exists', owners: [...created.owners] });
      continue;
    }
    const empty = fileModel(file, '', false, false);
    const problem = verifyChange(empty, text, created.docs.map((value) => ({ op: 'append-doc' as const, value })));
    if (problem) {
      failures.push({ file, reason: problem, owners: [...created.owners] });
      continue;
    }
    changes.push({ file, action: 'create', before: '', after: text, bom: false, edits: [{ file, start: 0, end: 0, expect: '', text, why: 'new file' }] });
  }
  for (const [file, merged] of edits) {
    if (deletes.has(file)) continue;
    const refusal = workspace.refusal(file);
    if (refusal) {
      failures.push({ file, reason: refusal, owners: [...merged.owners] });
      continue;
    }
    const model = workspace.model(file);
    if (!model) {
      failures.push({ file, reason: 'cannot be read', owners: [...merged.owners] });
      continue;
    }
    const unique = dedupeEdits(merged.edits);
    const seen = new Set<string>();
    const intents = merged.intents.filter((intent) => {
      const key = intentKey(intent);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    let after: string;
    try {
      after = applyEdits(model.text, unique);
    } catch (error) {
      if (!(error instanceof EditConflictError)) throw error;
      failures.push({ file, reason: error.message, owners: [...merged.owners] });
      continue;
    }
    if (after === model.text) continue;
    const problem = verifyChange(model, after, intents);
    if (problem) {
      failures.push({ file, reason: problem, owners: [...merged.owners] });
      continue;
    }
    changes.push({ file, action: 'edit', before: model.text, after, bom: model.bom, ...lineBreaksOf(workspace, file), edits: sortEdits(unique) });
  }
  changes.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { changes, failures };
}

/** `lineBreaks: 'cr'` for a file whose lone CRs the writer must restore; nothing otherwise. */
function lineBreaksOf(workspace: Workspace, file: string): Pick<FileChange, 'lineBreaks'> {
  return workspace.lineBreaks(file) === 'cr' ? { lineBreaks: 'cr' } : {};
}
