// Shared helpers for benchmarks: timing, peak RSS, and a temporary folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempRoot(prefix = 'pod2wi-bench-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function cleanup(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** Runs fn `runs` times; returns the median wall time in ms and the peak RSS in MB seen during the runs. */
export async function measure(fn, runs = 3) {
  const times = [];
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    for (let i = 0; i < runs; i++) {
      globalThis.gc?.();
      const start = performance.now();
      await fn();
      times.push(performance.now() - start);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
  } finally {
    clearInterval(timer);
  }
  times.sort((a, b) => a - b);
  return { medianMs: Math.round(times[Math.floor(times.length / 2)]), peakRssMb: Math.round(peak / 1024 / 1024) };
}

/** Prints one result line and fails the process when a target is missed. */
export function report(name, result, targetMs) {
  const ok = targetMs === undefined || result.medianMs <= targetMs;
  console.log(`${ok ? 'ok  ' : 'SLOW'} ${name}: ${result.medianMs} ms median, ${result.peakRssMb} MB peak RSS${targetMs ? ` (target ≤ ${targetMs} ms)` : ''}`);
  if (!ok) process.exitCode = 1;
}
