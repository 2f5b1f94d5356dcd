import type { ManifestScan } from '../k8s/read.js';
import type { Repo } from '../walk/repo.js';
import { fileModel, type FileModel } from './file-model.js';

/** The files the fix stage reads, parsed once each, as they were scanned. */
export class Workspace {
  readonly #repo: Repo;
  readonly #templates: ReadonlySet<string>;
  readonly #models = new Map<string, FileModel | null>();

  constructor(repo: Repo, manifests: ManifestScan) {
    this.#repo = repo;
    this.#templates = new Set(manifests.charts.flatMap((chart) => [...chart.templates, ...chart.helpers]));
  }

  /** The file as scanned (BOM removed), parsed; null when it is not in the scan. */
  model(path: string): FileModel | null {
    const cached = this.#models.get(path);
    if (cached !== undefined) return cached;
    const file = this.#repo.read(path);
    const model = file ? fileModel(path, file.text, file.bom, this.#templates.has(path)) : null;
    this.#models.set(path, model);
    return model;
  }

  /**
   * Why the file must not be edited, or null: its text is not exactly its bytes (invalid UTF-8 shown as U+FFFD, or
   * lone CRs beside other line breaks), so writing an edited text back would change bytes outside the edit.
   */
  refusal(path: string): string | null {
    const file = this.#repo.read(path);
    if (!file) return null;
    if (file.lossy) return `holds bytes that are not UTF-8 (line ${file.lossy.line}); pod2wi edits only files it can write back byte for byte`;
    if (file.lineBreaks === 'mixed') return 'mixes lone-CR line breaks with LF or CRLF; pod2wi edits only files it can write back byte for byte';
    return null;
  }

  /** `cr` when the file breaks lines with lone CRs (shown as LF in its text). */
  lineBreaks(path: string): 'cr' | null {
    return this.#repo.read(path)?.lineBreaks === 'cr' ? 'cr' : null;
  }

  exists(path: string): boolean {
    return this.#repo.has(path);
  }
}
