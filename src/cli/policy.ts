import type { Command } from 'commander';
import { policyEngines, policyModes, type PolicyEngine, type PolicyMode } from '../check/policy-names.js';
import { UsageError } from '../model/errors.js';
import { emit, type Io } from './output.js';
import { checkOutputFile } from './paths.js';

/** The options of `pod2wi policy` as commander hands them over. */
export interface PolicyFlags {
  readonly engine?: string;
  readonly mode: string;
  readonly excludeNamespace?: string[];
  readonly output?: string;
}

function pick<T extends string>(option: string, value: string | undefined, allowed: readonly T[]): T {
  const found = allowed.find((candidate) => candidate === value?.trim().toLowerCase());
  if (!found) throw new UsageError(value === undefined ? `${option} is required: ${allowed.join(' or ')}` : `${option} ${value}: expected ${allowed.join(' or ')}`);
  return found;
}

export function registerPolicy(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('policy')
    .summary('print a Kyverno or Gatekeeper policy that denies aadpodidbinding pods and pod-identity objects')
    .description(
      [
        'Prints a cluster admission policy (YAML) that denies what `pod2wi check` flags',
        'in repositories: pods and pod controllers labelled aadpodidbinding, and new',
        'aadpodidentity.k8s.io objects. Kyverno: two ClusterPolicies (controllers through',
        'auto-generated rules). Gatekeeper: a ConstraintTemplate and its Constraint.',
      ].join('\n'),
    )
    .option('--engine <engine>', `admission engine: ${policyEngines.join(' or ')}`)
    .option('--mode <mode>', 'enforce (deny) or audit (report only: Kyverno Audit, Gatekeeper dryrun)', 'enforce')
    .option('--exclude-namespace <name>', 'namespace the policy leaves alone; repeatable (default: kube-system)', (value: string, previous: string[] = []) => [...previous, value])
    .option('-o, --output <file>', 'write the policy to FILE instead of stdout')
    .addHelpText('after', ['', 'Examples:', '  $ pod2wi policy --engine kyverno --mode audit | kubectl apply -f -', '  $ pod2wi policy --engine gatekeeper -o policy/deny-pod-identity.yaml'].join('\n'))
    .action(async (flags: PolicyFlags) => {
      const engine: PolicyEngine = pick('--engine', flags.engine, policyEngines);
      const mode: PolicyMode = pick('--mode', flags.mode, policyModes);
      const excludeNamespaces = flags.excludeNamespace ?? ['kube-system'];
      if (flags.output !== undefined && flags.output !== '-') checkOutputFile('--output', flags.output, io.cwd);
      const { renderPolicy } = await import('../check/policy.js');
      emit(io, { format: 'yaml', file: flags.output ?? null }, renderPolicy({ engine, mode, excludeNamespaces }));
      setExit(0);
    });
}
