import { fileURLToPath } from 'node:url';

/**
 * The folder of pod2wi's package (`package.json`, `rules/`, `dist/`), with a trailing separator. This module sits one
 * level below it in every layout pod2wi runs from: `src/` (tests), `dist/` (the tsc build) and the bundle, whose files
 * are all in `dist/` (scripts/bundle.mjs). Every path into the package is made from it, never from another module's
 * own `import.meta.url`, which a bundle moves.
 */
export const packageRoot = fileURLToPath(new URL('../', import.meta.url));
