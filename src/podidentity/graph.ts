import type { FindingSink } from '../model/findings-sink.js';
import type { Location } from '../model/location.js';
import { scalarRef, type ScalarRef } from '../k8s/rendered.js';
import type { Field } from '../k8s/workloads.js';
import type { AzureIdentity, AzureIdentityBinding } from './crds.js';
import type { RenderUnit } from '../k8s/rendered.js';
import { pushTo } from '../model/collections.js';
import { setAtDeployTime } from '../model/placeholders.js';
import { isImpliedLabel } from '../k8s/flux.js';

export const podIdentityLabel = 'aadpodidbinding';

/** What the graph needs to know of a workload. */
export interface GraphWorkload {
  readonly id: string;
  readonly namespace: string;
  /** The aadpodidbinding label on the pod template, or null. */
  readonly label: Field | null;
  /** The unit that rendered it (see `unitKey`): bindings of the same unit are preferred, and selectors with unknown parts only match inside it. */
  readonly unitKey: string;
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

function selectorMatches(selector: ScalarRef | null, label: ScalarRef | null, sameUnit: boolean): 'literal' | 'template' | null {
  if (!selector || !label) return null;
  if (selector.value !== null && label.value !== null) return selector.value !== '' && selector.value === label.value ? 'literal' : null;
  if (selector.value === null && label.value === null && sameUnit && selector.display && selector.display === label.display) return 'template';
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
  // A unit (one overlay, one chart render) is one environment: references resolve inside it first, then anywhere.
  const identityByKey = new Map<string, AzureIdentity>();
  for (const identity of identities) {
    for (const key of [`${unitKey(identity.object.unit)}|${identity.namespace}/${identity.key}`, `${identity.namespace}/${identity.key}`]) {
      if (!identityByKey.has(key)) identityByKey.set(key, identity);
    }
  }
  const bindingTargets = new Map<AzureIdentityBinding, AzureIdentity | null>();
  for (const binding of bindings) {
    const target = binding.identityKey
      ? (identityByKey.get(`${unitKey(binding.object.unit)}|${binding.namespace}/${binding.identityKey}`) ?? identityByKey.get(`${binding.namespace}/${binding.identityKey}`) ?? null)
      : null;
    bindingTargets.set(binding, target);
    if (!target) {
      const where = binding.azureIdentity?.origin ?? binding.at;
      const named = binding.azureIdentity?.display;
      const elsewhere = identities.filter((identity) => identity.name === named).map((identity) => identity.namespace);
      const deployTime = named ? setAtDeployTime(named) : null;
      if (deployTime && elsewhere.length === 0) {
        sink.add('set-at-deploy-time', where, `AzureIdentityBinding ${binding.namespace}/${binding.name} names AzureIdentity ${named}, ${deployTime}`);
        continue;
      }
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
    if (value) pushTo(bySelector, value, binding);
    else if (binding.selector && binding.selector.unknowns.length > 0) templatedSelectors.push(binding);
  }

  const matches = new Map<string, IdentityMatch[]>();
  const bindingsUsed = new Set<AzureIdentityBinding>();
  const identitiesUsed = new Set<AzureIdentity>();
  for (const workload of workloads) {
    const label = workload.label;
    const labelValue = scalarRef(label?.value);
    if (!label || !labelValue) continue;
    const found: IdentityMatch[] = [];
    const ignoredByNamespace: AzureIdentityBinding[] = [];
    const withoutIdentity: AzureIdentityBinding[] = [];
    const all = labelValue.value !== null ? (bySelector.get(labelValue.value) ?? []) : templatedSelectors;
    const own = all.filter((binding) => unitKey(binding.object.unit) === workload.unitKey);
    const candidates = own.length > 0 ? own : all;
    for (const binding of candidates) {
      const kind = selectorMatches(binding.selector, labelValue, unitKey(binding.object.unit) === workload.unitKey);
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
      const selector = binding.selector?.display || '(none)';
      const addon = binding.object.unit.kind === 'cluster-export' && binding.object.unit.variant.startsWith('aks-add-on:');
      if (addon && binding.selector?.value === null) {
        sink.add('unused-binding', binding.selector.origin, `AKS add-on identity ${binding.azureIdentity?.display ?? binding.name} in namespace ${binding.namespace}: its binding selector ${selector} is not known from the repository (${binding.selector.unknowns[0]?.reason ?? 'computed'}), so no workload links to it; give the cluster's identities with --cluster-state`);
      } else {
        sink.add('unused-binding', binding.selector?.origin ?? binding.at, `${addon ? `AKS add-on identity ${binding.azureIdentity?.display ?? binding.name}` : `AzureIdentityBinding ${binding.namespace}/${binding.name}`}: no workload in the scanned manifests carries aadpodidbinding=${selector}`);
      }
    }
  }
  const named = new Set([...bindingTargets.values()].filter((identity): identity is AzureIdentity => identity !== null));
  // Definitions of one identity in one render (alternatives side by side, a staged copy) are variants of one object.
  const definitions = new Map<string, AzureIdentity[]>();
  for (const identity of identities) pushTo(definitions, `${unitKey(identity.object.unit)}|${identity.namespace}/${identity.key}`, identity);
  for (const identity of identities) {
    if (named.has(identity)) continue;
    const used = definitions.get(`${unitKey(identity.object.unit)}|${identity.namespace}/${identity.key}`)?.find((other) => other !== identity && named.has(other));
    if (used) {
      sink.add('identity-variant', identity.at, `AzureIdentity ${identity.namespace}/${identity.name} is defined again here, beside ${used.at.file}:${used.at.line} in the same render: alternatives of one identity (only one is applied); bindings match the first`);
    } else {
      sink.add('unused-identity', identity.at, `AzureIdentity ${identity.namespace}/${identity.name} is not named by any AzureIdentityBinding`);
    }
  }
  return { matches, bindingsUsed, identitiesUsed, bindingTargets };
}

function reportWorkload(
  workload: GraphWorkload,
  label: Field,
  found: readonly IdentityMatch[],
  unmatched: { readonly ignoredByNamespace: readonly AzureIdentityBinding[]; readonly withoutIdentity: readonly AzureIdentityBinding[] },
  options: GraphOptions,
  sink: FindingSink,
): void {
  const ref = scalarRef(label.value);
  const value = ref?.display ?? '';
  const where: Location = label.keyOrigin;
  if (ref && ref.value === null) {
    sink.add(
      'templated-label-value',
      where,
      `${workload.id}: aadpodidbinding is ${ref.display}, which is not known from the repository (${ref.unknowns[0]?.reason ?? 'unknown'})${found.some((match) => match.templated) ? '; matched a binding with the same text in the same render' : ''}`,
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
    const deployTime = why.length === 0 ? setAtDeployTime(value) : null;
    // A chart that labels its pods from a value (AGIC) makes the identity and the binding from its values too.
    if (why.length === 0 && isImpliedLabel(label)) return;
    if (deployTime) {
      sink.add('set-at-deploy-time', where, `${workload.id}: aadpodidbinding=${value} is ${deployTime}, so no binding in the repository can be matched to it`);
      return;
    }
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

/** One key per unit: its kind, path and variant. */
export function unitKey(unit: RenderUnit): string {
  return `${unit.kind}:${unit.path}:${unit.variant}`;
}
