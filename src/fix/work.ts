import type { FixFindingId } from './finding-ids.js';
import type { Location } from '../model/location.js';
import type { Edit } from './edit.js';
import type { FileModel } from './file-model.js';
import type { Intent } from './verify.js';
import { declined, type Built } from './yaml-edits.js';

/** A finding the fix stage reports. */
export interface FixNote {
  readonly id: FixFindingId;
  readonly at: Location;
  readonly message: string;
}

/** A new file, with the documents it holds (for verification). */
export interface NewFile {
  readonly file: string;
  readonly text: string;
  readonly docs: readonly unknown[];
}

/**
 * Everything one owner (a workload, or the pod-identity objects of one file) changes, across files. It is applied
 * whole or not at all: when one of its files fails to verify, none of its edits is written.
 */
export class Work {
  readonly owner: string;
  /** Where the owner is reported when it cannot be applied. */
  readonly at: Location;
  readonly files = new Map<string, { edits: Edit[]; intents: Intent[] }>();
  readonly creates: NewFile[] = [];
  readonly deletes = new Set<string>();
  readonly notes: FixNote[] = [];
  /** The first reason an edit was declined; the owner is then skipped. */
  declined: { reason: string; id: FixFindingId } | null = null;

  constructor(owner: string, at: Location) {
    this.owner = owner;
    this.at = at;
  }

  /** Adds an edit set for `file`; a declined one marks the whole owner declined (its reason kept). */
  add(file: FileModel, built: Built, id: FixFindingId = 'fix-manual-step'): boolean {
    if (declined(built)) {
      this.declined ??= { reason: built.decline, id };
      return false;
    }
    if (built.edits.length === 0 && built.intents.length === 0) return true;
    const entry = this.files.get(file.path) ?? { edits: [], intents: [] };
    entry.edits.push(...built.edits);
    entry.intents.push(...built.intents);
    this.files.set(file.path, entry);
    return true;
  }

  decline(reason: string, id: FixFindingId = 'fix-manual-step'): false {
    this.declined ??= { reason, id };
    return false;
  }

  note(id: FixFindingId, at: Location, message: string): void {
    this.notes.push({ id, at, message });
  }

  get empty(): boolean {
    return this.files.size === 0 && this.creates.length === 0 && this.deletes.size === 0;
  }

  /** Every file the owner touches. */
  get touched(): string[] {
    return [...new Set([...this.files.keys(), ...this.creates.map((item) => item.file), ...this.deletes])].sort();
  }
}
