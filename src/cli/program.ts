import { Command, CommanderError } from 'commander';
import { Pod2wiError } from '../model/errors.js';
import { toolVersion } from '../version.js';
import { registerFix } from './fix.js';
import type { Io } from './output.js';
import { registerCheck } from './check.js';
import { registerMerge } from './merge.js';
import { registerPlan } from './plan.js';
import { registerPolicy } from './policy.js';
import { registerRules } from './rules.js';
import { registerPr, type PrCliDependencies } from './pr.js';
import { registerScan } from './scan.js';

/** Exit statuses, one meaning each. */
export const exitCodes = { ok: 0, findings: 1, usage: 2, internal: 3, nothingScanned: 4 } as const;

/** What commands are built from beyond the Io; tests replace parts (the fix applier, fetch). */
export interface CliDependencies {
  readonly pr?: PrCliDependencies;
}

/**
 * Runs pod2wi with `argv` (without node and script) and returns the exit status. The only place that knows about
 * argv, stdout/stderr and exit codes; commands return data and throw pod2wi errors.
 */
export async function runCli(argv: readonly string[], io: Io, dependencies: CliDependencies = {}): Promise<number> {
  let status: number = exitCodes.ok;
  const program = new Command();
  program
    .name('pod2wi')
    .description('Move AKS workloads from aad-pod-identity to Microsoft Entra Workload ID.')
    .version(toolVersion, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride();
  const setExit = (code: number) => {
    status = code;
  };
  registerScan(program, io, setExit);
  registerMerge(program, io, setExit);
  registerPlan(program, io, setExit);
  registerRules(program, io, setExit);
  registerCheck(program, io, setExit);
  registerPolicy(program, io, setExit);
  registerFix(program, io, setExit);
  registerPr(program, io, setExit, dependencies.pr);
  program.commands.forEach((command) => command.exitOverride());

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return status;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return exitCodes.ok;
      return exitCodes.usage;
    }
    if (error instanceof Pod2wiError) {
      io.stderr.write(`pod2wi: ${error.message}\n`);
      if (error.code === 'usage' || error.code === 'config') return exitCodes.usage;
      if (error.code === 'nothing-scanned') return exitCodes.nothingScanned;
      return exitCodes.internal;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(`pod2wi: internal error, please report it with the command you ran:\n${detail}\n`);
    return exitCodes.internal;
  }
}
