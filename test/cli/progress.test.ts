import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { createProgress, progressLine } from '../../src/cli/progress.js';
import type { ScanProgress } from '../../src/run.js';
import { writeTree } from '../helpers/repo.js';

/** A stream that records what is written, posing as a terminal or not. */
function fakeStream(isTTY: boolean, columns = 100) {
  const writes: string[] = [];
  return { writes, stream: { write: (text: string) => writes.push(text), isTTY, columns } };
}

const state: ScanProgress = { stage: 'applications-read', files: 1204, charts: 12, overlays: 8, applications: 6, workloads: 40 };

describe('progress line', () => {
  it('says what was read, rendered and analysed', () => {
    expect(progressLine(state)).toBe('pod2wi: 1,204 files read · 12 charts and 8 overlays rendered · 6 applications analysed · deciding…');
    expect(progressLine({ ...state, stage: 'walked' })).toBe('pod2wi: 1,204 files read · reading code…');
    expect(progressLine({ ...state, stage: 'code-read' })).toBe('pod2wi: 1,204 files read · rendering manifests…');
    expect(progressLine({ ...state, stage: 'rendered' })).toBe('pod2wi: 1,204 files read · 12 charts and 8 overlays rendered · reading applications…');
  });

  it('shows nothing for runs shorter than a second, then rewrites one line and clears it at the end', () => {
    let now = 0;
    const { writes, stream } = fakeStream(true);
    const progress = createProgress(stream, {}, () => now);
    progress.update({ ...state, stage: 'walked' });
    expect(writes).toEqual([]);
    now = 1500;
    progress.update(state);
    progress.update({ ...state, stage: 'decided' });
    expect(writes).toHaveLength(2);
    for (const text of writes) expect(text.startsWith('\r\u001b[2K')).toBe(true);
    expect(writes.join('')).not.toContain('\n');
    progress.done();
    expect(writes[writes.length - 1]).toBe('\r\u001b[2K');
  });

  it('never writes to a pipe, nor in CI, and leaves nothing to clear when it showed nothing', () => {
    for (const [isTTY, env] of [[false, {}], [true, { CI: 'true' }]] as const) {
      const { writes, stream } = fakeStream(isTTY);
      const progress = createProgress(stream, env, () => 5000 * writes.length + 5000);
      progress.update(state);
      progress.done();
      expect(writes).toEqual([]);
    }
    const { writes, stream } = fakeStream(true);
    const quick = createProgress(stream, {}, () => 0);
    quick.update(state);
    quick.done();
    expect(writes).toEqual([]);
  });

  it('fits the terminal: never wraps', () => {
    let now = 0;
    const { writes, stream } = fakeStream(true, 40);
    const progress = createProgress(stream, {}, () => now);
    now = 2000;
    progress.update(state);
    expect(writes[0]?.replace('\r\u001b[2K', '').length).toBeLessThan(40);
  });

  it('goes to stderr during a slow scan on a terminal and is gone when the report prints', async () => {
    const dir = writeTree({ 'app.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: a, labels: {aadpodidbinding: a}}\nspec: {containers: [{name: a, image: contoso/a:1}]}\n' });
    let out = '';
    let err = '';
    let tick = 0;
    const io = {
      cwd: dir,
      env: {},
      // Each reading of the clock moves it two seconds: every stage looks slow.
      now: () => new Date(Date.UTC(2026, 0, 1) + 2000 * tick++),
      stdout: { write: (text: string) => (out += text), isTTY: false },
      stderr: { write: (text: string) => (err += text), isTTY: true, columns: 120 },
    };
    expect(await runCli(['scan', '.'], io)).toBe(0);
    expect(err).toContain('1 file read');
    expect(err).toContain('0 charts and 0 overlays rendered');
    expect(err).toContain('applications analysed');
    expect(err.endsWith('\r\u001b[2K')).toBe(true);
    expect(out).not.toContain('\u001b[');
    expect(out).toContain('workloads');
    let piped = '';
    expect(await runCli(['scan', '.'], { ...io, stderr: { write: (text: string) => (piped += text), isTTY: false } })).toBe(0);
    expect(piped).toBe('');
  });
});
