import type { FixPlan } from '../fix/index.js';
import { LineIndex } from '../k8s/line-index.js';
import { toolVersion } from '../version.js';
import { countLines } from './fix-diff.js';

export interface FixJsonOptions {
  readonly root: string;
  readonly written: boolean;
  /** Why the writer wrote nothing (all or nothing per run). */
  readonly refused?: readonly { readonly file: string; readonly reason: string }[];
}

/**
 * `pod2wi fix --format json`: every file with its edits (offsets into the file's text without BOM, 1-based line and
 * column of the start, the text expected there and the text put in its place, and why), what was left alone, the
 * findings and a summary.
 */
export function renderFixJson(plan: FixPlan, options: FixJsonOptions): string {
  const files = plan.changes.map((change) => {
    const index = new LineIndex(change.before);
    const lines = countLines(change);
    return {
      file: change.file,
      action: change.action,
      bom: change.bom,
      linesAdded: lines.added,
      linesRemoved: lines.removed,
      edits: change.edits.map((edit) => ({
        start: edit.start,
        end: edit.end,
        ...index.position(edit.start),
        expect: edit.expect,
        text: edit.text,
        why: edit.why,
      })),
    };
  });
  const document = {
    schemaVersion: 1,
    tool: { name: 'pod2wi', version: toolVersion },
    root: options.root,
    phase: plan.phase,
    written: options.written,
    files,
    edited: plan.edited,
    verified: plan.verified,
    skipped: plan.skipped,
    refused: options.refused ?? [],
    findings: plan.findings,
    summary: {
      files: files.length,
      created: files.filter((file) => file.action === 'create').length,
      deleted: files.filter((file) => file.action === 'delete').length,
      linesAdded: files.reduce((sum, file) => sum + file.linesAdded, 0),
      linesRemoved: files.reduce((sum, file) => sum + file.linesRemoved, 0),
    },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
