import { parseHcl } from '../../src/terraform/hcl-syntax.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import type { FileChange } from '../../src/fix/edit.js';
import { fileModel } from '../../src/fix/file-model.js';
import type { FixPlan } from '../../src/fix/index.js';

/** Every file under a folder, path → bytes. */
export function snapshot(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) visit(path);
      else files.set(relative(root, path).split('\\').join('/'), readFileSync(path));
    }
  };
  visit(root);
  return files;
}

/**
 * Rebuilds a change's result from its edits without the module's own splicer: every byte between edits is the
 * original's, every edit replaced exactly what it expected. Fails when anything outside the edited ranges moved.
 */
export function expectOnlyEditedBytesChanged(change: FileChange): void {
  const edits = [...change.edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let cursor = 0;
  let position = 0;
  for (const edit of edits) {
    expect(edit.start, `${change.file}: edits overlap`).toBeGreaterThanOrEqual(cursor);
    const kept = change.before.slice(cursor, edit.start);
    expect(change.after.slice(position, position + kept.length), `${change.file}: bytes before offset ${edit.start} changed`).toBe(kept);
    position += kept.length;
    expect(change.before.slice(edit.start, edit.end), `${change.file}: edit at ${edit.start} did not find what it expected`).toBe(edit.expect);
    expect(change.after.slice(position, position + edit.text.length)).toBe(edit.text);
    position += edit.text.length;
    cursor = edit.end;
  }
  expect(change.after.slice(position), `${change.file}: bytes after the last edit changed`).toBe(change.before.slice(cursor));
}

/** The result parses (templates sanitized), keeps the BOM, and adds no line ending of another kind. */
export function expectWellFormed(change: FileChange, template: boolean): void {
  if (change.action === 'delete') return;
  if (/\.(tf|tfvars)$/.test(change.file)) {
    const hcl = parseHcl(change.after);
    expect(hcl.ok ? null : hcl.error.message, `${change.file} does not parse as HCL after the fix`).toBeNull();
    return;
  }
  const model = fileModel(change.file, change.after, change.bom, template);
  const errors = model.docs.flatMap((doc) => doc.errors.map((error) => error.message));
  expect(errors, `${change.file} does not parse after the fix`).toEqual([]);
  if (/\.json$/.test(change.file)) expect(() => JSON.parse(change.after), `${change.file} is not JSON after the fix`).not.toThrow();
  const crlf = (text: string) => (text.match(/\r\n/g) ?? []).length;
  const lf = (text: string) => (text.match(/(?<!\r)\n/g) ?? []).length;
  if (change.action === 'edit' && crlf(change.before) > 0 && lf(change.before) === 0) expect(lf(change.after), `${change.file}: LF in a CRLF file`).toBe(0);
  if (change.action === 'edit' && lf(change.before) > 0 && crlf(change.before) === 0) expect(crlf(change.after), `${change.file}: CRLF in an LF file`).toBe(0);
}

/** All the properties every planned change must have. */
export function expectSoundPlan(plan: FixPlan, isTemplate: (file: string) => boolean): void {
  for (const change of plan.changes) {
    expect(change.after, `${change.file}: a change that changes nothing`).not.toBe(change.before);
    expectOnlyEditedBytesChanged(change);
    expectWellFormed(change, isTemplate(change.file));
  }
}
