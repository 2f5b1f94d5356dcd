import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect } from 'vitest';

/**
 * Compares `actual` with the checked-in golden file. `UPDATE_GOLDEN=1` rewrites the file instead (locally only: CI
 * sets CI=true, and then a missing or different golden file always fails).
 */
export function expectGolden(path: string, actual: string): void {
  const update = process.env.UPDATE_GOLDEN === '1' && process.env.CI !== 'true';
  if (update) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`golden file ${path} is missing: run UPDATE_GOLDEN=1 npx vitest run to create it, then review it`);
  expect(actual, `differs from ${path} (UPDATE_GOLDEN=1 rewrites it; review the diff)`).toBe(readFileSync(path, 'utf8'));
}
