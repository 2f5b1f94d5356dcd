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

  exists(path: string): boolean {
    return this.#repo.has(path);
  }
}
