import { readFileSync } from 'node:fs';

/** pod2wi's own version, from its package.json (the same file in src/ and dist/ layouts). */
export const toolVersion: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
