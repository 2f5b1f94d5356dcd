/**
 * Names pod2wi writes into manifests, scripts and templates, checked against what Kubernetes and Azure accept. A name
 * they would reject is never written: the plan refuses it with a finding, so no generated artefact carries it.
 */

/** RFC 1123 label (namespaces): lower-case alphanumerics and `-`, alphanumeric at both ends, at most 63 characters. */
export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value);
}

/** RFC 1123 subdomain (ServiceAccounts, most object names): labels joined by `.`, at most 253 characters. */
export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && value.split('.').every((label) => label.length > 0 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(label));
}

/** An Azure resource group name: 1–90 letters, digits, `_`, `-`, `.`, `(`, `)`; not ending in `.`. */
export function isResourceGroupName(value: string): boolean {
  return value.length <= 90 && /^[\p{L}\p{N}_()][\p{L}\p{N}_.()-]*$/u.test(value) && !value.endsWith('.');
}

/** A user-assigned managed identity name: 3–128 letters, digits, `-` and `_`, starting with a letter or digit. */
export function isManagedIdentityName(value: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/.test(value);
}

/** What is wrong with the names a federated credential and its ServiceAccount would carry, or null when all are valid. */
export function nameProblem(names: {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly identity: string;
  readonly resourceGroup: string | null;
  readonly identityName: string | null;
}): string | null {
  const shown = (value: string) => JSON.stringify(value);
  if (!isDnsLabel(names.namespace)) return `namespace ${shown(names.namespace)} is not a valid Kubernetes namespace (RFC 1123 label)`;
  if (!isDnsSubdomain(names.serviceAccount)) return `ServiceAccount name ${shown(names.serviceAccount)} is not a valid Kubernetes name (RFC 1123 subdomain)`;
  if (!isDnsSubdomain(names.identity)) return `AzureIdentity name ${shown(names.identity)} is not a valid Kubernetes name (RFC 1123 subdomain)`;
  if (names.resourceGroup !== null && !isResourceGroupName(names.resourceGroup)) return `resource group ${shown(names.resourceGroup)} is not a valid Azure resource group name`;
  if (names.identityName !== null && !isManagedIdentityName(names.identityName)) return `identity ${shown(names.identityName)} is not a valid managed identity name`;
  return null;
}
