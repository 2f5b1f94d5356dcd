import { readFileSync } from 'node:fs';
import { packageRoot } from './package-root.js';

const manifest = JSON.parse(readFileSync(`${packageRoot}package.json`, 'utf8')) as { version: string; homepage?: string };

/** pod2wi's own version, from its package.json. */
export const toolVersion: string = manifest.version;

/** Where users learn about pod2wi (SARIF `informationUri`): package.json `homepage`, else the package's npm page. */
export const toolHomepage: string = manifest.homepage ?? 'https://www.npmjs.com/package/pod2wi';
