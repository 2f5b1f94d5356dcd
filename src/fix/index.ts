import { resolve } from 'node:path';
import { diffLines } from 'diff';
import { loadConfig } from '../config/config.js';
import { loadDependencyKnowledge } from '../deps/knowledge.js';
import { RenderCache } from '../k8s/read.js';
import { sortFindings, type Finding } from '../model/finding.js';
import { FindingSink } from '../model/findings-sink.js';
import { decide } from '../plan/decide.js';
import { findImageBuilds } from '../plan/images.js';
import { indexLinks, linkApplications } from '../plan/link.js';
import { sdkKnowledge } from '../plan/sdk.js';
import { loadFindingCatalogue } from '../rules/catalogue.js';
import type { Analysis } from '../run.js';
import type { Edit, FileChange } from './edit.js';
import { runPhase, type Phase, type PhaseContext, type Skip } from './phases.js';
import { realise } from './realise.js';
import { findTargets } from './targets.js';

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
  /** The workloads (and pod-identity files) edited, with the files each touches. */
  readonly edited: readonly { readonly subject: string; readonly files: readonly string[] }[];
  /** Workloads and objects that get no edit, with why. */
  readonly skipped: readonly { readonly subject: string; readonly reason: string; readonly file: string; readonly line: number }[];
  readonly findings: readonly Finding[];
  /**
   * Every kept edit was proven by rendering the repository again: `units` renders (overlays, chart renders, the plain
   * manifests) changed, each exactly as intended.
   */
  readonly verified: { readonly units: number };
}

/**
 * Plans one phase of the migration over an analysis. Each phase says what each rendered object must become; source
 * editors propose edits where each field is written; every edit is proven by rendering every chart, overlay and
 * manifest again and comparing: a subject whose rendered difference is not exactly the intended one gets no edit,
 * and a finding says what would have gone wrong. Writes nothing: `writeChanges` does, from the result.
 */
export function planFix(analysis: Analysis, phase: Phase, options: FixOptions = {}): FixPlan {
  const selection = new Set(options.workloads ?? []);
  const context: PhaseContext = {
    analysis,
    targets: findTargets(analysis),
    decideAgain: verdicts(analysis, options),
    selected: options.workloads ? (target) => selection.has(target.report.id) : () => true,
  };
  const decided = runPhase[phase](context);
  const skipped: Skip[] = [...decided.skipped];
  const notes = [...decided.notes];
  const cache = new RenderCache();
  const refuse = (path: string): string | null => {
    const file = analysis.repo.read(path);
    if (file?.lossy) return `${path} holds bytes that are not UTF-8 (line ${file.lossy.line}); pod2wi edits only files it can write back byte for byte`;
    if (file?.lineBreaks === 'mixed') return `${path} mixes lone-CR line breaks with LF or CRLF; pod2wi edits only files it can write back byte for byte`;
    return null;
  };
  const outcome = realise(decided.subjects, analysis.manifests, null, cache, decided.allowed ?? [], refuse);
  for (const subject of outcome.kept) notes.push(...subject.notes);
  for (const { subject, reason } of outcome.withdrawn) {
    skipped.push({ workload: subject.id, reason: `edit withdrawn: ${reason}; nothing was changed for it`, at: subject.at, id: 'fix-withdrawn' });
  }

  const scanned = analysis.manifests.files;
  const changes: FileChange[] = [];
  const whyOf = new Map(decided.subjects.map((subject) => [subject.id, subject.why]));
  for (const [file, owners] of outcome.touched) {
    const before = scanned.read(file);
    const after = outcome.files.read(file);
    if (before === after) continue;
    const why = [...owners].sort().map((owner) => whyOf.get(owner) ?? owner).join('; ');
    const read = analysis.repo.read(file);
    const bom = read?.bom ?? false;
    const breaks = read?.lineBreaks === 'cr' ? { lineBreaks: 'cr' as const } : {};
    if (after === null) changes.push({ file, action: 'delete', before: before ?? '', after: '', bom, ...breaks, edits: [{ file, start: 0, end: (before ?? '').length, expect: before ?? '', text: '', why }] });
    else if (before === null) changes.push({ file, action: 'create', before: '', after, bom: false, edits: [{ file, start: 0, end: 0, expect: '', text: after, why }] });
    else changes.push({ file, action: 'edit', before, after, bom, ...breaks, edits: outcome.edits.get(file) ?? editsBetween(file, before, after, why) });
  }
  changes.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));

  const sink = new FindingSink(loadFindingCatalogue());
  for (const skip of skipped) sink.add(skip.id, skip.at, `${skip.workload}: ${skip.reason}`);
  for (const note of notes) sink.add(note.id, note.at, note.message);
  const ordered = [...skipped].sort((a, b) => (a.workload < b.workload ? -1 : a.workload > b.workload ? 1 : 0));
  const files = (id: string) => [...outcome.touched].filter(([, owners]) => owners.has(id)).map(([file]) => file).sort();
  return {
    phase,
    changes,
    edited: outcome.kept.map((subject) => ({ subject: subject.id, files: files(subject.id) })).filter((item) => item.files.length > 0).sort((a, b) => (a.subject < b.subject ? -1 : 1)),
    skipped: ordered.map((skip) => ({ subject: skip.workload, reason: skip.reason, file: skip.at.file, line: skip.at.line })),
    findings: sortFindings(sink.all),
    verified: { units: outcome.changedUnits },
  };
}

/** The changed regions of a file, as edits (offsets into `before`), from a line diff. */
function editsBetween(file: string, before: string, after: string, why: string): Edit[] {
  const edits: Edit[] = [];
  let offset = 0;
  let pending: { start: number; end: number; text: string } | null = null;
  const flush = () => {
    if (pending) edits.push({ file, start: pending.start, end: pending.end, expect: before.slice(pending.start, pending.end), text: pending.text, why });
    pending = null;
  };
  for (const part of diffLines(before, after)) {
    if (!part.added && !part.removed) {
      flush();
      offset += part.value.length;
      continue;
    }
    pending ??= { start: offset, end: offset, text: '' };
    if (part.removed) {
      offset += part.value.length;
      pending.end = offset;
    } else pending.text += part.value;
  }
  flush();
  return edits;
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
      const index = indexLinks(applications, builds);
      cached = (workload) =>
        decide(
          workload,
          linkApplications(workload, {
            applications,
            builds,
            configured: config.config.applications ?? [],
            configLine: (line) => (config.file ? { file: config.file, line: config.lineOf(['applications', line]) } : null),
            index,
          }),
          applications,
          { sdk, betweenVersions: config.config.policy?.betweenVersions ?? 'latest', restrictedNamespaces: new Map() },
        );
    }
    return cached(report);
  };
}

