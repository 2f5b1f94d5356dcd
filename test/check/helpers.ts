import { runCheck, type CheckOptions, type CheckRun } from '../../src/check/gate.js';
import { defaultMaxFileSize } from '../../src/run.js';

/** A fixed day for suppression expiry, so fixtures never rot. */
export const fixedNow = new Date('2026-06-01T12:00:00Z');

/** Runs the gate on a folder with default options (whole folder, no baseline, suppressions on, fails on error). */
export function check(cwd: string, options: Partial<CheckOptions> = {}): CheckRun {
  return runCheck({
    paths: ['.'],
    cwd,
    exclude: [],
    defaultExcludes: true,
    maxFileSize: defaultMaxFileSize,
    namespace: null,
    config: null,
    failOn: 'error',
    suppressions: true,
    baseline: null,
    writeBaseline: null,
    changedSince: null,
    now: fixedNow,
    outputs: [],
    ...options,
  });
}
