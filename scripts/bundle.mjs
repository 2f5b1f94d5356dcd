// Bundles the built CLI (dist/cli/main.js and everything it imports, packages included) into dist/pod2wi.js and
// its chunks dist/pod2wi-*.js, split at the CLI's dynamic imports so each command still loads only its own stages.
// Loading a few large files instead of about 160 small ones halves start-up (`pod2wi check` on a small repository:
// 0.15–0.17 s against 0.22–0.27 s, README, Design). Left out, and loaded from node_modules when a run needs them:
// TypeScript and tree-sitter (large, loaded with the first source file that needs a parser) and zod (loaded only to
// validate a file the user gives). `npm run build` runs this after tsc and scripts/compile-rules.mjs.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
// Chunks of an earlier bundle would linger: their names carry a hash of their content.
for (const name of readdirSync(dist)) if (/^pod2wi(-[A-Z0-9]+)?\.js$/.test(name)) rmSync(join(dist, name));

await build({
  entryPoints: { pod2wi: join(dist, 'cli', 'main.js') },
  outdir: dist,
  // Every file of the bundle sits directly in dist/, one level below the package root, as src/package-root.ts expects.
  chunkNames: 'pod2wi-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['typescript', 'web-tree-sitter', '@vscode/tree-sitter-wasm', 'zod'],
  // The CommonJS packages in the bundle (yaml, commander, semver) require Node's own modules.
  banner: { js: "import { createRequire as __pod2wiRequire } from 'node:module';\nconst require = __pod2wiRequire(import.meta.url);" },
  logLevel: 'warning',
});
