import { groupedCount } from '../model/text.js';
import type { ScanProgress } from '../run.js';

/** Where the progress line goes: stderr, and whether it is a terminal (and how wide). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** A progress listener for the scan, and `done()` to clear the line it left (no-op when nothing was shown). */
export interface Progress {
  readonly update: (state: ScanProgress) => void;
  readonly done: () => void;
}

/** Runs shorter than this show no progress at all. */
export const progressDelayMs = 1000;

const stageLabel: Readonly<Record<ScanProgress['stage'], string>> = {
  walked: 'reading code',
  'code-read': 'rendering manifests',
  rendered: 'reading applications',
  'applications-read': 'deciding',
  decided: 'writing the report',
};

/** `pod2wi: 1,204 files · 12 charts and 8 overlays rendered · 6 applications · deciding…` */
export function progressLine(state: ScanProgress): string {
  const parts = [`${groupedCount(state.files, 'file')} read`];
  if (state.stage !== 'walked' && state.stage !== 'code-read') parts.push(`${groupedCount(state.charts, 'chart')} and ${groupedCount(state.overlays, 'overlay')} rendered`);
  if (state.stage === 'applications-read' || state.stage === 'decided') parts.push(`${groupedCount(state.applications, 'application')} analysed`);
  return `pod2wi: ${parts.join(' · ')} · ${stageLabel[state.stage]}…`;
}

/**
 * A one-line progress display on stderr, for people watching a terminal: shown only when stderr is a terminal, not
 * in CI (the CI variable is set), and only once the run has lasted {@link progressDelayMs}; rewritten in place, and
 * cleared by `done()` so the report that follows starts on a clean line. Piped or redirected output never sees it.
 */
export function createProgress(stream: ProgressStream, env: Readonly<Record<string, string | undefined>>, clock: () => number = () => performance.now()): Progress {
  const inCi = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  if (stream.isTTY !== true || inCi) return { update: () => undefined, done: () => undefined };
  const started = clock();
  let shown = false;
  return {
    update: (state) => {
      if (clock() - started < progressDelayMs) return;
      const width = Math.max(20, (stream.columns ?? 80) - 1);
      const line = progressLine(state);
      // A progress line never wraps: a wrapped line could not be rewritten in place.
      stream.write(`\r\u001b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
      shown = true;
    },
    done: () => {
      if (shown) stream.write('\r\u001b[2K');
      shown = false;
    },
  };
}

/** The clock progress is timed with: the Io's (tests move it), else the process's monotonic one. */
export function clockOf(io: { readonly now?: () => Date }): () => number {
  const now = io.now;
  return now ? () => now().getTime() : () => performance.now();
}
