#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { runCli } from './program.js';

// The tree-sitter grammars (WebAssembly) compiled by V8's baseline compiler only: its optimising tier compiles them
// again on background threads, which on a scan of 100,000 files cost about 65 MB of peak memory and no measurable
// time (README, Design). Set first thing: changed later in a run, V8 flags cost far more than they save.
setFlagsFromString('--liftoff-only');

// A reader that stops early (`pod2wi scan | head`) closes the pipe: that ends the output, it is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const status = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
process.exitCode = status;
