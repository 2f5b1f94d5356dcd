import { compareStrings } from '../model/location.js';
import { createHash } from 'node:crypto';
import type { FederatedCredentialPlan, PlannedIdentity, ServiceAccountPlan } from './model.js';
import { stripTrailing } from '../model/text.js';

export const audience = 'api://AzureADTokenExchange';
export const defaultIssuer = '${AKS_OIDC_ISSUER}';
/** Entra allows 20 federated credentials per app registration or user-assigned identity. */
export const federatedCredentialLimit = 20;

/**
 * A valid credential name for namespace/ServiceAccount: 3–120 characters of letters, digits, `-` and `_`, starting
 * with a letter or digit. Long names are cut and keep a short hash so they stay unique.
 */
export function credentialName(namespace: string, serviceAccount: string): string {
  const raw = `${namespace}-${serviceAccount}`.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  const name = raw.length >= 3 ? raw : `fic-${raw}`.padEnd(3, '0');
  if (name.length <= 120) return name;
  const hash = createHash('sha256').update(`${namespace}/${serviceAccount}`).digest('hex').slice(0, 8);
  return `${stripTrailing(name.slice(0, 111), '-_')}-${hash}`;
}

/** The Azure identity a planned identity stands for: its client ID (and resource ID when known). */
export function identityKey(identity: PlannedIdentity): string {
  return `${identity.clientId}|${identity.resourceGroup ?? ''}/${identity.identityName ?? ''}`;
}

/** Whether a name pod2wi rendered holds a part only known at install time (shown as `{{ expression }}`). */
export function hasUnknown(name: string): boolean {
  return name.includes('{{');
}

/** One credential per identity × namespace × ServiceAccount, named uniquely per identity, in a stable order. */
export function planFederatedCredentials(
  accounts: readonly { workload: string; identity: PlannedIdentity; serviceAccount: ServiceAccountPlan }[],
  issuer: string,
): FederatedCredentialPlan[] {
  const byKey = new Map<string, { identity: PlannedIdentity; namespace: string; serviceAccount: string; workloads: string[] }>();
  for (const { workload, identity, serviceAccount } of accounts) {
    // One Azure identity is one client ID: two overlays binding identities of the same name with different client IDs
    // are two identities.
    const key = `${identityKey(identity)}|${serviceAccount.namespace}/${serviceAccount.name}`;
    const entry = byKey.get(key) ?? { identity, namespace: serviceAccount.namespace, serviceAccount: serviceAccount.name, workloads: [] };
    entry.workloads.push(workload);
    byKey.set(key, entry);
  }
  const used = new Map<string, Set<string>>();
  const order = (entry: { identity: PlannedIdentity; namespace: string; serviceAccount: string }) => `${entry.identity.namespace}/${entry.identity.name}|${entry.namespace}/${entry.serviceAccount}|${identityKey(entry.identity)}`;
  return [...byKey.entries()]
    .sort(([, a], [, b]) => compareStrings(order(a), order(b)))
    .map(([, entry]) => {
      const names = used.get(identityKey(entry.identity)) ?? new Set<string>();
      let name = credentialName(entry.namespace, entry.serviceAccount);
      for (let n = 2; names.has(name); n++) name = `${credentialName(entry.namespace, entry.serviceAccount).slice(0, 116)}-${n}`;
      names.add(name);
      used.set(identityKey(entry.identity), names);
      return {
        name,
        identity: entry.identity,
        namespace: entry.namespace,
        serviceAccount: entry.serviceAccount,
        subject: `system:serviceaccount:${entry.namespace}:${entry.serviceAccount}`,
        audience,
        issuer,
        workloads: [...entry.workloads].sort(),
      };
    });
}
