import { withChanges, type FileSource } from '../k8s/files.js';
import { renderRepository, type ManifestScan, type RenderCache, type ScanProblem } from '../k8s/read.js';
import { toPlain, type RenderedObject } from '../k8s/rendered.js';
import { describeChange, judge, objectKey, type Change, type ObjectKey, type Verdict } from './changes.js';
import { composeEdits } from './compose.js';
import type { Edit } from './edit.js';
import type { Candidate, EditState } from './editors.js';
import type { Subject } from './phases.js';

/**
 * Realises subjects one after the other: each step takes the first candidate edit whose new render differs from the
 * current one by exactly the step's changes (plus changes other subjects of the run also want); a subject whose steps
 * cannot all be realised is withdrawn whole, with what each candidate would have done wrong. The run repeats until
 * the final render differs from the scanned one by exactly the changes of the subjects kept.
 */

export interface Realised {
  /** The files as they stand after every kept subject. */
  readonly files: FileSource;
  /** Per file, the subjects that changed it and why. */
  readonly touched: ReadonlyMap<string, Set<string>>;
  /** Per edited file, the splices of the scanned text that give the result (null: written whole). */
  readonly edits: ReadonlyMap<string, readonly Edit[] | null>;
  /** Units (overlays, chart renders, manifests) whose rendered objects the kept edits change, all as intended. */
  readonly changedUnits: number;
  readonly kept: readonly Subject[];
  readonly withdrawn: readonly { readonly subject: Subject; readonly reason: string }[];
}

interface State extends EditState {
  readonly changed: ReadonlyMap<string, string | null>;
  /** Per edited file, its edits as splices of the scanned text (null: written whole). */
  readonly edits: ReadonlyMap<string, readonly Edit[] | null>;
}

/** Objects by key, plain data computed on demand and reused for unchanged objects. */
class Snapshot {
  readonly #objects = new Map<ObjectKey, RenderedObject>();
  readonly #plain = new WeakMap<RenderedObject, unknown>();

  constructor(objects: readonly RenderedObject[]) {
    for (const object of objects) {
      const key = objectKey(object, null);
      if (!this.#objects.has(key)) this.#objects.set(key, object);
    }
  }

  keys(): IterableIterator<ObjectKey> {
    return this.#objects.keys();
  }

  object(key: ObjectKey): RenderedObject | undefined {
    return this.#objects.get(key);
  }

  plain(key: ObjectKey): unknown {
    const object = this.#objects.get(key);
    if (!object) return undefined;
    if (!this.#plain.has(object)) this.#plain.set(object, toPlain(object.root));
    return this.#plain.get(object);
  }
}

const snapshots = new WeakMap<ManifestScan, Snapshot>();
function snapshotOf(scan: ManifestScan): Snapshot {
  let snapshot = snapshots.get(scan);
  if (!snapshot) {
    snapshot = new Snapshot(scan.objects);
    snapshots.set(scan, snapshot);
  }
  return snapshot;
}

/** The difference between two renders, judged: only objects whose rendered tree changed are compared. */
function judgeRenders(before: ManifestScan, after: ManifestScan, must: readonly Change[], may: readonly Change[]): Verdict {
  const a = snapshotOf(before);
  const b = snapshotOf(after);
  const keys = new Set([...a.keys(), ...b.keys(), ...must.map((change) => change.object)]);
  const left = new Map<ObjectKey, unknown>();
  const right = new Map<ObjectKey, unknown>();
  for (const key of keys) {
    const x = a.object(key);
    const y = b.object(key);
    if (x && y && x.root === y.root && !must.some((change) => change.object === key)) continue;
    if (x) left.set(key, a.plain(key));
    if (y) right.set(key, b.plain(key));
  }
  return judge(left, right, must, may);
}

// Without the line: an edit above a problem moves it, which is not a new one.
const problemKey = (problem: ScanProblem) => `${problem.id}|${problem.at.file}|${problem.message}`;

/** A problem the edit introduced (a file that no longer parses, a patch that matches nothing), or null. */
function newProblem(before: ManifestScan, after: ManifestScan): ScanProblem | null {
  const known = new Set(before.problems.map(problemKey));
  return after.problems.find((problem) => !known.has(problemKey(problem)) && problem.id !== 'render-problem' && problem.id !== 'conditional-label') ?? null;
}

export function realise(
  subjects: readonly Subject[],
  scanned: ManifestScan,
  namespace: string | null,
  cache: RenderCache,
  allowed: readonly Change[] = [],
  refuse: (path: string) => string | null = () => null,
): Realised {
  const render = (files: FileSource) => renderRepository(files, namespace, cache);
  const initial: State = { files: scanned.files, scan: scanned, changed: new Map(), edits: new Map() };
  let failing = new Set<Subject>();
  let result: Realised | null = null;
  for (let round = 0; round <= subjects.length; round++) {
    const viable = subjects.filter((subject) => !failing.has(subject));
    const withdrawn: { subject: Subject; reason: string }[] = subjects.filter((subject) => failing.has(subject)).map((subject) => ({ subject, reason: reasons.get(subject) ?? 'its edits do not verify' }));
    let state = initial;
    const touched = new Map<string, Set<string>>();
    const kept: Subject[] = [];
    const allChanges = new Map(viable.map((subject) => [subject, subject.steps.flatMap((step) => step.changes)]));
    for (const subject of viable) {
      const unmet = subject.requires?.find((id) => !kept.some((item) => item.id === id));
      if (unmet !== undefined) {
        const reason = `it waits for ${unmet}, which was not applied`;
        withdrawn.push({ subject, reason });
        reasons.set(subject, reason);
        continue;
      }
      const others = viable.filter((other) => other !== subject).flatMap((other) => allChanges.get(other) ?? []);
      const outcome = realiseSubject(subject, state, [...others, ...allowed], render, scanned.files, refuse);
      if ('reason' in outcome) {
        withdrawn.push({ subject, reason: outcome.reason });
        reasons.set(subject, outcome.reason);
        continue;
      }
      for (const path of outcome.state.changed.keys()) if (!state.changed.has(path) || state.changed.get(path) !== outcome.state.changed.get(path)) touched.set(path, (touched.get(path) ?? new Set()).add(subject.id));
      state = outcome.state;
      kept.push(subject);
    }
    const verdict = judgeRenders(scanned, state.scan, kept.flatMap((subject) => subject.steps.flatMap((step) => step.changes)), allowed);
    const problem = verdict.extra ?? verdict.missing;
    const newlyFailing = withdrawn.map((item) => item.subject).filter((subject) => !failing.has(subject));
    result = { files: state.files, touched, kept, withdrawn, edits: state.edits, changedUnits: changedUnits(scanned, state.scan) };
    if (!problem || newlyFailing.length === 0) {
      if (problem) {
        // Nothing left to withdraw but the whole still differs: keep nothing rather than write a wrong change.
        return { files: scanned.files, touched: new Map(), edits: new Map(), changedUnits: 0, kept: [], withdrawn: subjects.map((subject) => ({ subject, reason: `the combined change would not render as intended: ${problem}` })) };
      }
      return result;
    }
    failing = new Set([...failing, ...newlyFailing]);
  }
  return result ?? { files: scanned.files, touched: new Map(), edits: new Map(), changedUnits: 0, kept: [], withdrawn: [] };
}

const reasons = new WeakMap<Subject, string>();

function realiseSubject(
  subject: Subject,
  start: State,
  others: readonly Change[],
  render: (files: FileSource) => ManifestScan,
  base: FileSource,
  refuse: (path: string) => string | null,
): { state: State } | { reason: string } {
  let state = start;
  const done: Change[] = [];
  for (let index = 0; index < subject.steps.length; index++) {
    const step = subject.steps[index];
    if (!step) continue;
    const later = subject.steps.slice(index + 1).flatMap((item) => item.changes);
    const must = [...done, ...step.changes];
    // Already true (an earlier step, or another subject, made it so).
    if (judgeRenders(state.scan, state.scan, must, []).missing === null) {
      done.push(...step.changes);
      continue;
    }
    const tried: string[] = [];
    let picked: State | null = null;
    // A field written in several places (a base and an overlay's patch) takes one edit per place: an edit that makes
    // progress without any unwanted difference is kept, and the step asks again, a few times at most.
    for (let attempt = 0; attempt < 4 && !picked; attempt++) {
      let progress: State | null = null;
      const { candidates, declines } = step.candidates(state);
      tried.push(...declines);
      for (const candidate of candidates) {
        const refused = [...candidate.texts.keys()].map((path) => (base.has(path) ? refuse(path) : null)).find((reason) => reason !== null);
        if (refused) {
          tried.push(`${candidate.label}: ${refused}`);
          continue;
        }
        const changed = new Map(state.changed);
        for (const [path, text] of candidate.texts) changed.set(path, text);
        const files = withChanges(base, changed);
        let scan: ManifestScan;
        try {
          scan = render(files);
        } catch (error) {
          tried.push(`${candidate.label}: rendering again failed (${error instanceof Error ? error.message : String(error)})`);
          continue;
        }
        const problem = newProblem(state.scan, scan);
        if (problem) {
          tried.push(`${candidate.label}: ${problem.at.file}:${problem.at.line} would report ${problem.message}`);
          continue;
        }
        const verdict = judgeRenders(state.scan, scan, must, [...others, ...later]);
        if (verdict.extra) {
          tried.push(`${candidate.label}: ${verdict.extra}`);
          continue;
        }
        const next: State = { files, scan, changed, edits: composed(base, state, candidate) };
        if (verdict.missing) {
          tried.push(`${candidate.label}: ${verdict.missing}`);
          // Progress where the field is written is preferred to a later, more roundabout candidate.
          if (rendersDifferently(state.scan, scan, must)) {
            progress = next;
            break;
          }
          continue;
        }
        picked = next;
        break;
      }
      if (picked || !progress) break;
      state = progress;
    }
    if (!picked) {
      const what = step.changes.map(describeChange).join('; ');
      return { reason: tried.length > 0 ? `${what}: no edit renders exactly that (${tried.join('; ')})` : `${what}: pod2wi found no place in the sources to make that change` };
    }
    state = picked;
    done.push(...step.changes);
  }
  return { state };
}

/** How many units render differently. */
function changedUnits(before: ManifestScan, after: ManifestScan): number {
  const a = snapshotOf(before);
  const b = snapshotOf(after);
  const units = new Set<string>();
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const x = a.object(key);
    const y = b.object(key);
    if (x && y && x.root === y.root) continue;
    if (!x || !y || JSON.stringify(a.plain(key)) !== JSON.stringify(b.plain(key))) units.add(key.split('|')[0] ?? '');
  }
  return units.size;
}

/** Whether any object a change is about renders differently. */
function rendersDifferently(before: ManifestScan, after: ManifestScan, changes: readonly Change[]): boolean {
  const a = snapshotOf(before);
  const b = snapshotOf(after);
  return changes.some((change) => JSON.stringify(a.plain(change.object)) !== JSON.stringify(b.plain(change.object)));
}

/** The state's edits with a candidate's, as splices of the scanned text (a file written whole has none). */
function composed(base: FileSource, state: State, candidate: Candidate): Map<string, readonly Edit[] | null> {
  const out = new Map(state.edits);
  for (const [path, text] of candidate.texts) {
    const splices = candidate.edits?.get(path);
    const original = base.read(path);
    const prior = state.edits.has(path) ? state.edits.get(path) : [];
    const current = state.changed.has(path) ? state.changed.get(path) : original;
    if (text === null || original === null || current === null || current === undefined || !splices || prior === null || prior === undefined) {
      out.set(path, null);
      continue;
    }
    out.set(path, composeEdits(original, current, prior, splices));
  }
  return out;
}
