import { effectiveNamespace, objectName } from '../k8s/namespaces.js';
import { scalarRef, textOf, type RenderedObject } from '../k8s/rendered.js';
import { fieldsAt, operatingSystem, readWorkload, type Field } from '../k8s/workloads.js';
import { unitKey } from '../podidentity/graph.js';
import { formatLocation } from '../model/location.js';
import { isPodIdentityObject } from '../podidentity/crds.js';
import { clientIdAnnotation, proxyPortAnnotation, proxySidecarAnnotation, useLabel } from '../podidentity/inventory.js';
import type { GateContext } from './context.js';
import { isPolicyObject, objectSubject, objectTitle } from './detect-manifests.js';

export const tokenExpirationAnnotation = 'azure.workload.identity/service-account-token-expiration';

/** Token lifetime bounds the webhook accepts, in seconds (azure-workload-identity pkg/webhook, v0.7.0 and later). */
export const tokenExpirationRange = { min: 3600, max: 86400 } as const;

interface ServiceAccount {
  readonly object: RenderedObject;
  readonly labels: readonly Field[];
  readonly annotations: readonly Field[];
}

/** The value of a field when it is known: null for a value pod2wi could not know, '' when absent. */
const known = (entry: Field | undefined): string | null => (entry === undefined ? '' : (scalarRef(entry.value)?.value ?? (entry.value.kind === 'unknown' ? null : '')));

/**
 * Broken workload-identity setups, read from pod templates and the ServiceAccounts they name (in the same namespace,
 * as the manifests render it): the `use` label without a client-id or the reverse, the label on the ServiceAccount
 * instead of the pod, the proxy sidecar where it cannot work or with a value that does not mean what it says,
 * token lifetimes and proxy ports the webhook rejects. ServiceAccounts not in the repository are not judged.
 */
export function detectWorkloadIdentity(context: GateContext): void {
  const { manifests, detections, namespace } = context;
  const accounts = new Map<string, ServiceAccount>();
  const objects = manifests.objects.filter((object) => !isPolicyObject(object) && !isPodIdentityObject(object));

  for (const object of objects) {
    if (object.kind !== 'ServiceAccount' || object.apiVersion !== 'v1') continue;
    const account: ServiceAccount = {
      object,
      labels: fieldsAt(object.root, ['metadata', 'labels']),
      annotations: fieldsAt(object.root, ['metadata', 'annotations']),
    };
    const name = objectName(object);
    const key = `${effectiveNamespace(object, namespace).value}/${name ?? ''}`;
    // Looked up in the workload's own unit first (each overlay is its own environment), then anywhere.
    for (const indexKey of [`${unitKey(object.unit)}|${key}`, key]) if (name && !accounts.has(indexKey)) accounts.set(indexKey, account);
    const expiration = account.annotations.find((entry) => entry.key === tokenExpirationAnnotation);
    if (expiration) checkExpiration(context, expiration, `ServiceAccount ${key}`, objectSubject(object));
  }

  for (const object of objects) {
    const view = readWorkload(object);
    if (!view) continue;
    const template = view.template;
    const title = objectTitle(object, namespace);
    const subject = objectSubject(object);
    const label = (key: string) => template.labels.find((entry) => entry.key === key);
    const annotation = (key: string) => template.annotations.find((entry) => entry.key === key);

    const expiration = annotation(tokenExpirationAnnotation);
    if (expiration) checkExpiration(context, expiration, title, subject);

    const proxy = annotation(proxySidecarAnnotation);
    if (proxy) {
      const value = known(proxy);
      if (value !== null && value !== 'true') {
        detections.add({ ruleId: 'proxy-sidecar-false', at: proxy.keyOrigin, message: `${title}: ${proxySidecarAnnotation}: "${value}" still injects the proxy; remove the annotation to turn it off, or write "true"`, subject });
      }
      const os = operatingSystem(template);
      if (os.os === 'windows') {
        detections.add({ ruleId: 'proxy-sidecar-on-windows', at: proxy.keyOrigin, message: `${title} runs on Windows (${os.at ? formatLocation(os.at) : 'its manifest'}); the proxy sidecar is Linux-only`, subject });
      }
      if (textOf(template.hostNetwork) === 'true' && template.hostNetwork) {
        detections.add({ ruleId: 'proxy-sidecar-on-host-network', at: proxy.keyOrigin, message: `${title} sets hostNetwork: true (${formatLocation(template.hostNetwork.origin)}); the webhook rejects the proxy sidecar on it`, subject });
      }
      const port = annotation(proxyPortAnnotation);
      const portValue = known(port);
      if (port && portValue !== null && !isPort(portValue)) {
        detections.add({ ruleId: 'proxy-sidecar-port-invalid', at: port.keyOrigin, message: `${title}: ${proxyPortAnnotation}: "${portValue}" is not a port number (1–65535); admission fails`, subject });
      }
    }

    const use = label(useLabel);
    const useValue = use ? known(use) : '';
    const accountRef = scalarRef(template.serviceAccountName);
    if (useValue === null || (accountRef && accountRef.value === null)) continue;
    const accountName = accountRef?.value || 'default';
    const accountKey = `${view.namespace?.value ?? effectiveNamespace(object, namespace).value}/${accountName}`;
    const account = accounts.get(`${unitKey(object.unit)}|${accountKey}`) ?? accounts.get(accountKey);
    if (!account) continue;
    const clientId = account.annotations.find((entry) => entry.key === clientIdAnnotation);
    const clientIdValue = clientId ? known(clientId) : '';
    const accountUse = [...account.labels, ...account.annotations].find((entry) => entry.key === useLabel);
    const accountAt = formatLocation(account.object.at);

    if (useValue === 'true') {
      if (clientIdValue === '') {
        detections.add({ ruleId: 'use-label-without-client-id', at: use?.keyOrigin ?? template.at, message: `${title} is labelled ${useLabel}: "true" but ServiceAccount ${accountKey} (${accountAt}) has no ${clientIdAnnotation} annotation: AZURE_CLIENT_ID is not injected`, subject });
      }
      continue;
    }
    if (useValue === 'false') continue; // an explicit opt-out of the webhook
    if (accountUse) {
      detections.add({ ruleId: 'use-label-on-service-account', at: accountUse.keyOrigin, message: `ServiceAccount ${accountKey} carries ${useLabel}, which the webhook ignores there; ${title} lacks the label on its pod template, so its pods are not mutated`, subject: objectSubject(account.object) });
    } else if (clientIdValue) {
      const where = template.labels.find((entry) => entry.keyOrigin.file === object.at.file)?.keyOrigin ?? template.at;
      detections.add({ ruleId: 'client-id-without-use-label', at: where, message: `${title} uses ServiceAccount ${accountKey}, which has ${clientIdAnnotation} (${clientId ? formatLocation(clientId.keyOrigin) : accountAt}), but its pod template lacks ${useLabel}: "true", so the webhook never mutates its pods`, subject });
    }
  }
}

function isPort(value: string): boolean {
  if (!/^[+-]?\d+$/.test(value.trim())) return false;
  const port = Number(value.trim());
  return port >= 1 && port <= 65535;
}

function checkExpiration(context: GateContext, entry: Field, owner: string, subject: string): void {
  const value = known(entry);
  if (value === null) return;
  const trimmed = value.trim();
  const seconds = /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (Number.isInteger(seconds) && seconds >= tokenExpirationRange.min && seconds <= tokenExpirationRange.max) return;
  const why = Number.isNaN(seconds) ? 'is not a whole number of seconds' : `is outside ${tokenExpirationRange.min}–${tokenExpirationRange.max} seconds`;
  context.detections.add({ ruleId: 'token-expiration-out-of-range', at: entry.keyOrigin, message: `${owner}: ${tokenExpirationAnnotation}: "${value}" ${why}; the webhook rejects the pod`, subject });
}
