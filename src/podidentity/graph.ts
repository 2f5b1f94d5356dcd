import type { FindingSink } from '../model/findings-sink.js';
import type { Location } from '../model/location.js';
import type { Entry, TextValue } from '../k8s/source-doc.js';
import type { AzureIdentity, AzureIdentityBinding } from './crds.js';

export const podIdentityLabel = 'aadpodidbinding';

/** What the graph needs to know of a workload. */
export interface GraphWorkload {
  readonly id: string;
  readonly namespace: string;
  /** The aadpodidbinding label on the pod template, or null. */
  readonly label: Entry | null;
  /** Chart directory when the workload comes from a Helm template (templated selectors only match inside it). */
  readonly chart: string | null;
}

export interface IdentityMatch {
  readonly binding: AzureIdentityBinding;
  readonly identity: AzureIdentity;
  readonly crossNamespace: boolean;
  /** Matched by identical template text rather than by a literal value. */
  readonly templated: boolean;
}

export interface GraphOptions {
  /** MIC/NMI run with --forceNamespaced (or the AKS add-on, which always does). */
  readonly forceNamespaced: boolean;
}

export interface PodIdentityGraph {
  readonly matches: ReadonlyMap<string, readonly IdentityMatch[]>;
  readonly bindingsUsed: ReadonlySet<AzureIdentityBinding>;
  readonly identitiesUsed: ReadonlySet<AzureIdentity>;
  /** For each binding, the identity it names (null when missing). */
  readonly bindingTargets: ReadonlyMap<AzureIdentityBinding, AzureIdentity | null>;
}

/** Template text compared without spacing or trim markers: `{{- $fullname }}` equals `{{ $fullname }}`. */
export function normalizeTemplate(template: string): string {
  return template.replace(/\{\{-?\s*/g, '{{').replace(/\s*-?\}\}/g, '}}').replace(/\s+/g, ' ');
}

function selectorMatches(selector: TextValue | null, label: TextValue | null, sameChart: boolean): 'literal' | 'template' | null {
  if (!selector || !label) return null;
  if (selector.value !== null && label.value !== null) return selector.value !== '' && selector.value === label.value ? 'literal' : null;
  if (selector.value === null && label.value === null && sameChart && selector.template && label.template) {
    return normalizeTemplate(selector.template) === normalizeTemplate(label.template) ? 'template' : null;
  }
  return null;
}

/**
 * Links workloads to identities the way aad-pod-identity's MIC does: the label value equals a binding's
 * `spec.selector` exactly; the binding's `spec.azureIdentity` is looked up in the binding's namespace; in namespaced
 * mode (`--force-namespaced`, or the identity annotated `Behavior: namespaced`) identity, binding and pod must share
 * one namespace, otherwise bindings match across namespaces.
 */
export function linkPodIdentity(
  workloads: readonly GraphWorkload[],
  identities: readonly AzureIdentity[],
  bindings: readonly AzureIdentityBinding[],
  options: GraphOptions,
  sink: FindingSink,
): PodIdentityGraph {
  const identityByKey = new Map<string, AzureIdentity>();
  for (const identity of identities) {
    const key = `${identity.namespace}/${identity.key}`;
    if (!identityByKey.has(key)) identityByKey.set(key, identity);
  }
  const bindingTargets = new Map<AzureIdentityBinding, AzureIdentity | null>();
  for (const binding of bindings) {
    const target = binding.identityKey ? identityByKey.get(`${binding.namespace}/${binding.identityKey}`) ?? null : null;
    bindingTargets.set(binding, target);
    if (!target) {
      const where = binding.azureIdentity?.at ?? binding.at;
      const named = binding.azureIdentity?.value ?? binding.azureIdentity?.template;
      const elsewhere = identities.filter((identity) => identity.name === named).map((identity) => identity.namespace);
      sink.add(
        'binding-missing-identity',
        where,
        named
          ? `AzureIdentityBinding ${binding.namespace}/${binding.name} names AzureIdentity ${named}, which is not in namespace ${binding.namespace}${elsewhere.length ? ` (found in ${elsewhere.join(', ')}: bindings only look in their own namespace)` : ''}`
          : `AzureIdentityBinding ${binding.namespace}/${binding.name} has no spec.azureIdentity`,
      );
    }
  }

  // Literal selectors are looked up by value; templated ones (rare) are compared one by one.
  const bySelector = new Map<string, AzureIdentityBinding[]>();
  const templatedSelectors: AzureIdentityBinding[] = [];
  for (const binding of bindings) {
    const value = binding.selector?.value;
    if (value) bySelector.set(value, [...(bySelector.get(value) ?? []), binding]);
    else if (binding.selector?.template) templatedSelectors.push(binding);
  }

  const matches = new Map<string, IdentityMatch[]>();
  const bindingsUsed = new Set<AzureIdentityBinding>();
  const identitiesUsed = new Set<AzureIdentity>();
  for (const workload of workloads) {
    const label = workload.label;
    if (!label?.value) continue;
    const found: IdentityMatch[] = [];
    const ignoredByNamespace: AzureIdentityBinding[] = [];
    const withoutIdentity: AzureIdentityBinding[] = [];
    const candidates = label.value.value !== null ? (bySelector.get(label.value.value) ?? []) : templatedSelectors;
    for (const binding of candidates) {
      const kind = selectorMatches(binding.selector, label.value, workload.chart !== null && binding.object.helm?.chart.dir === workload.chart);
      if (!kind) continue;
      bindingsUsed.add(binding);
      const identity = bindingTargets.get(binding);
      if (!identity) {
        withoutIdentity.push(binding);
        continue;
      }
      const namespaced = options.forceNamespaced || identity.namespaced;
      if (namespaced && !(identity.namespace === binding.namespace && binding.namespace === workload.namespace)) {
        ignoredByNamespace.push(binding);
        continue;
      }
      identitiesUsed.add(identity);
      found.push({ binding, identity, crossNamespace: binding.namespace !== workload.namespace, templated: kind === 'template' });
    }
    matches.set(workload.id, found);
    reportWorkload(workload, label, found, { ignoredByNamespace, withoutIdentity }, options, sink);
  }

  for (const binding of bindings) {
    if (!bindingsUsed.has(binding)) {
      const selector = binding.selector?.value ?? binding.selector?.template ?? '(none)';
      sink.add('unused-binding', binding.selector?.at ?? binding.at, `AzureIdentityBinding ${binding.namespace}/${binding.name}: no workload in the scanned manifests carries aadpodidbinding=${selector}`);
    }
  }
  const named = new Set([...bindingTargets.values()].filter((identity): identity is AzureIdentity => identity !== null));
  for (const identity of identities) {
    if (!named.has(identity)) {
      sink.add('unused-identity', identity.at, `AzureIdentity ${identity.namespace}/${identity.name} is not named by any AzureIdentityBinding`);
    }
  }
  return { matches, bindingsUsed, identitiesUsed, bindingTargets };
}

function reportWorkload(
  workload: GraphWorkload,
  label: Entry,
  found: readonly IdentityMatch[],
  unmatched: { readonly ignoredByNamespace: readonly AzureIdentityBinding[]; readonly withoutIdentity: readonly AzureIdentityBinding[] },
  options: GraphOptions,
  sink: FindingSink,
): void {
  const value = label.value?.value ?? label.value?.template ?? '';
  const where: Location = label.keyAt;
  if (label.value?.value === null) {
    sink.add(
      'templated-label-value',
      where,
      `${workload.id}: aadpodidbinding is ${label.value.template ?? 'templated'}, which pod2wi could not resolve from values${found.some((match) => match.templated) ? '; matched a binding with the same template' : ''}`,
    );
  }
  if (found.length === 0) {
    const names = (bindings: readonly AzureIdentityBinding[]) => bindings.map((binding) => `${binding.namespace}/${binding.name}`).join(', ');
    const { ignoredByNamespace, withoutIdentity } = unmatched;
    const why = [
      ignoredByNamespace.length
        ? `${names(ignoredByNamespace)} ${ignoredByNamespace.length > 1 ? 'have' : 'has'} that selector but namespaced matching${options.forceNamespaced ? ' (--force-namespaced)' : ' (Behavior: namespaced)'} ignores other namespaces`
        : null,
      withoutIdentity.length ? `${names(withoutIdentity)} ${withoutIdentity.length > 1 ? 'have' : 'has'} that selector but ${withoutIdentity.length > 1 ? 'their' : 'its'} AzureIdentity is missing` : null,
    ].filter((part): part is string => part !== null);
    sink.add(
      'label-without-binding',
      where,
      why.length
        ? `${workload.id}: aadpodidbinding=${value} gets no identity: ${why.join('; ')}`
        : `${workload.id}: aadpodidbinding=${value} matches no AzureIdentityBinding in the repository`,
    );
    return;
  }
  const distinct = new Set(found.map((match) => `${match.identity.namespace}/${match.identity.name}`));
  if (distinct.size > 1) {
    sink.add(
      'multiple-identities-on-selector',
      where,
      `${workload.id}: aadpodidbinding=${value} binds ${distinct.size} identities (${[...distinct].sort().join(', ')}); a ServiceAccount carries one client-id`,
    );
  }
  for (const match of found) {
    if (match.crossNamespace) {
      sink.add(
        'binding-cross-namespace',
        where,
        `${workload.id} (namespace ${workload.namespace}) matches AzureIdentityBinding ${match.binding.namespace}/${match.binding.name} across namespaces; this only works when aad-pod-identity is not namespaced`,
      );
    }
  }
}
