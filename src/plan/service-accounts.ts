import { compareStrings } from '../model/location.js';
import { createHash } from 'node:crypto';
import type { ServiceAccountReport, WorkloadReport } from '../model/report.js';
import { identityKey } from './federated.js';
import type { PlannedIdentity, ServiceAccountPlan } from './model.js';

/**
 * Chooses each workload's ServiceAccount under workload identity. The workload's own account is reused when every
 * workload using it is bound to the same identity; `default`, or an account shared with workloads bound to other
 * identities, gets a dedicated account named after the workload (never clashing with an existing name). An account
 * named by the workload but absent from the repository is created. HelmRelease pods are configured through the
 * chart's values. The client-id annotation always; tenant-id only for a service principal in an explicit tenant.
 */
export function planServiceAccounts(
  workloads: readonly { workload: WorkloadReport; identity: PlannedIdentity }[],
  existing: readonly ServiceAccountReport[],
): Map<string, ServiceAccountPlan> {
  const users = new Map<string, Set<string>>();
  for (const { workload, identity } of workloads) {
    const key = `${workload.unit}|${workload.namespace}/${workload.serviceAccount.name}`;
    users.set(key, (users.get(key) ?? new Set()).add(identityKey(identity)));
  }
  // Names are taken per unit (one overlay, one chart render is one environment).
  const taken = new Map<string, string>(existing.map((account) => [`${account.unit}|${account.namespace}/${account.name}`, 'existing']));
  const plans = new Map<string, ServiceAccountPlan>();
  const ordered = [...workloads].sort((a, b) => compareStrings(a.workload.id, b.workload.id));
  for (const { workload, identity } of ordered) {
    const current = workload.serviceAccount;
    const annotations = {
      clientId: identity.clientId,
      tenantId: identity.type !== 'user-assigned-managed-identity' ? identity.tenantId : null,
    };
    if (workload.kind === 'HelmRelease') {
      // A release whose values create no account runs as `default`: its values must create one of its own.
      const onDefault = current.name === 'default';
      const name = onDefault ? dedicatedName(workload.name, `${workload.unit}|${workload.namespace}`, identityKey(identity), taken) : current.name;
      if (onDefault) taken.set(`${workload.unit}|${workload.namespace}/${name}`, identityKey(identity));
      plans.set(workload.id, { name, namespace: workload.namespace, action: 'chart-values', reason: onDefault ? 'default' : 'chart-managed', changesWorkload: onDefault, existing: null, ...annotations });
      continue;
    }
    const key = `${workload.unit}|${workload.namespace}/${current.name}`;
    const isDefault = current.name === 'default';
    const shared = (users.get(key)?.size ?? 0) > 1;
    if (!isDefault && !shared) {
      taken.set(key, identityKey(identity));
      plans.set(workload.id, {
        name: current.name,
        namespace: workload.namespace,
        action: current.exists ? 'reuse' : 'create',
        reason: current.exists ? 'own' : 'missing',
        changesWorkload: false,
        existing: current.exists ? { file: current.file, line: current.line } : null,
        ...annotations,
      });
      continue;
    }
    if (workload.name.includes('{{')) {
      // The workload's name is only known at install time: the chart names the account (its serviceAccount values).
      plans.set(workload.id, { name: current.name, namespace: workload.namespace, action: 'chart-values', reason: 'chart-managed', changesWorkload: false, existing: null, ...annotations });
      continue;
    }
    const name = dedicatedName(workload.name, `${workload.unit}|${workload.namespace}`, identityKey(identity), taken);
    taken.set(`${workload.unit}|${workload.namespace}/${name}`, identityKey(identity));
    plans.set(workload.id, {
      name,
      namespace: workload.namespace,
      action: 'create',
      reason: isDefault ? 'default' : 'shared-with-other-identities',
      changesWorkload: true,
      existing: null,
      ...annotations,
    });
  }
  return plans;
}

/** The workload's name as a ServiceAccount name; `-wi`, `-wi-2`… when that name is taken by something else. */
function dedicatedName(workload: string, namespace: string, identity: string, taken: ReadonlyMap<string, string>): string {
  const base = workload.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 240) || 'workload';
  const candidates = [base, `${base}-wi`];
  for (let n = 2; candidates.length < 100; n++) candidates.push(`${base}-wi-${n}`);
  for (const candidate of candidates) {
    const owner = taken.get(`${namespace}/${candidate}`);
    if (owner === undefined || owner === identity) return candidate;
  }
  return `${base}-wi-${createHash('sha256').update(identity).digest('hex').slice(0, 8)}`;
}
