import type { ManifestScan } from '../k8s/read.js';
import type { Location } from '../model/location.js';
import type { Repo, TextFile } from '../walk/repo.js';
import type { WalkFindingId } from '../walk/finding-ids.js';
import type { GateFindingId } from './finding-ids.js';
import { languageOf, lexLines, type SourceLine } from './source-text.js';

/** The rules the gate reports: its own, `manifest-parse-error` from the manifest reader and the walk's. */
export type GateRuleId = GateFindingId | 'manifest-parse-error' | WalkFindingId;

/** What a detector saw, before severity, suppressions and the baseline are applied. */
export interface Detection {
  readonly ruleId: GateRuleId;
  readonly at: Location;
  readonly message: string;
  /**
   * The object the finding is about (`Kind/namespace/name` as written), when the flagged line alone says little
   * (`apiVersion: …`, `metadata:`); it becomes part of the fingerprint.
   */
  readonly subject?: string;
}

/** Lexed text files of one run, read and lexed on first use. */
export class SourceTexts {
  readonly #repo: Repo;
  readonly #lines = new Map<string, readonly SourceLine[] | null>();

  constructor(repo: Repo) {
    this.#repo = repo;
  }

  file(path: string): TextFile | null {
    return this.#repo.read(path);
  }

  /** The lines of a file the gate reads as text; null when it is not one, or cannot be read. */
  lines(path: string): readonly SourceLine[] | null {
    const cached = this.#lines.get(path);
    if (cached !== undefined) return cached;
    const language = languageOf(path);
    const file = language ? this.#repo.read(path) : null;
    const lines = file && language ? lexLines(file.text, language) : null;
    this.#lines.set(path, lines);
    return lines;
  }
}

/**
 * Lines the text sweep must not report again: objects a structural detector already flagged as a whole (a pod-identity
 * object, a vendored aad-pod-identity chart), and what is deliberately out of scope (admission policies that deny the
 * label, pod2wi's own configuration and output files).
 */
export class Coverage {
  readonly #ranges = new Map<string, Array<readonly [number, number]>>();
  readonly #folders = new Set<string>();
  readonly #files = new Set<string>();

  addRange(file: string, from: number, to: number): void {
    const ranges = this.#ranges.get(file) ?? [];
    ranges.push([from, to]);
    this.#ranges.set(file, ranges);
  }

  addFile(file: string): void {
    this.#files.add(file);
  }

  addFolder(folder: string): void {
    this.#folders.add(folder);
  }

  covers(file: string, line: number): boolean {
    if (this.#files.has(file)) return true;
    for (const folder of this.#folders) if (folder === '' || file.startsWith(`${folder}/`)) return true;
    return (this.#ranges.get(file) ?? []).some(([from, to]) => line >= from && line <= to);
  }

  coversFile(file: string): boolean {
    if (this.#files.has(file)) return true;
    for (const folder of this.#folders) if (folder === '' || file.startsWith(`${folder}/`)) return true;
    return false;
  }
}

/** Detections in the order found; the first one at a location for a rule wins (detectors run most specific first). */
export class Detections {
  readonly #items: Detection[] = [];
  readonly #seen = new Set<string>();
  readonly #lines = new Set<string>();

  add(detection: Detection): void {
    const key = `${detection.ruleId}\u0000${detection.at.file}\u0000${detection.at.line}\u0000${detection.at.column}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.#lines.add(`${detection.ruleId}\u0000${detection.at.file}\u0000${detection.at.line}`);
    this.#items.push(detection);
  }

  /** Whether a rule already flagged some column of this line. */
  hasLine(ruleId: GateRuleId, file: string, line: number): boolean {
    return this.#lines.has(`${ruleId}\u0000${file}\u0000${line}`);
  }

  get all(): readonly Detection[] {
    return this.#items;
  }
}

/** What every detector receives: the repository, what the manifest stage read, and where to put what it sees. */
export interface GateContext {
  readonly repo: Repo;
  readonly manifests: ManifestScan;
  /** --namespace, for objects that set none. */
  readonly namespace: string | null;
  readonly texts: SourceTexts;
  readonly detections: Detections;
  readonly coverage: Coverage;
  /**
   * With --changed-since: the files whose own findings are reported. Detectors that read one file at a time for
   * findings in that file skip the others (their findings would be filtered out anyway); null reads every file.
   */
  readonly only?: ReadonlySet<string> | null;
}
