import { getIn, scalarRef, textOf, type RenderedObject } from '../k8s/rendered.js';
import { fieldsAt, immutableSelectorKinds, readWorkload, type Field } from '../k8s/workloads.js';
import { releaseTitle } from '../k8s/read.js';
import { isImpliedLabel } from '../k8s/flux.js';
import type { Location } from '../model/location.js';
import type { ScanReport, SecretProviderClassReport, TriggerAuthenticationReport, WorkloadReport } from '../model/report.js';
import { shellQuote } from '../report/escape.js';
import type { Decision } from '../plan/decide.js';
import type { ServiceAccountPlan, WorkloadPlan } from '../plan/model.js';
import { isPodIdentityObject } from '../podidentity/crds.js';
import { podIdentityLabel, unitKey } from '../podidentity/graph.js';
import { clientIdAnnotation, proxyPortAnnotation, proxySidecarAnnotation, tenantIdAnnotation, useLabel } from '../podidentity/inventory.js';
import type { Analysis } from '../run.js';
import { objectKey, type Change, type ObjectKey } from './changes.js';
import { chartComparisons, createObject, deleteObject, removeKey, setPairs, setSwitch, type Candidates, type EditState } from './editors.js';
import type { FixFindingId } from './finding-ids.js';
import { fieldNamed, podIdentityFields, targetAt, type Target } from './targets.js';
import type { Tree } from './yaml-edits.js';
import { isEmbeddingFile } from '../k8s/embedded.js';
import { pushTo } from '../model/collections.js';
import { kedaWorkloadIdentityProvider, readSecretProviderClass, readTriggerAuthentication } from '../podidentity/secret-store.js';

// The phase names live in their own module, so the CLI can list them without loading the fix stage.
import type { Phase } from './phase-names.js';
export { nextPhase, phases, type Phase } from './phase-names.js';

/** A finding the fix stage reports. */
export interface FixNote {
  readonly id: FixFindingId;
  readonly at: Location;
  readonly message: string;
}

/** A workload (or other subject) that gets no edit in this phase, with why. */
export interface Skip {
  readonly workload: string;
  readonly reason: string;
  readonly at: Location;
  readonly id: FixFindingId;
}

/**
 * One change of a subject and how to make it: candidates are proposed over the files as they stand when the step
 * runs (origins move as earlier edits land), and the first whose render shows exactly `changes` is kept.
 */
export interface Step {
  readonly changes: readonly Change[];
  readonly candidates: (state: EditState) => Candidates;
}

/** Everything one workload (or group of pod-identity objects) changes: applied whole, or not at all. */
export interface Subject {
  readonly id: string;
  readonly at: Location;
  readonly steps: readonly Step[];
  readonly notes: readonly FixNote[];
  /** Why each edit is made, for the diff summary and the JSON. */
  readonly why: string;
  /**
   * Subjects of the same run (by id, listed earlier) this one needs: when one of them is withdrawn, so is this one
   * (a binding is deleted only once the label has left the pods it selects).
   */
  readonly requires?: readonly string[];
}

export interface PhaseContext {
  readonly analysis: Analysis;
  readonly targets: readonly Target[];
  /** The migration verdict decided again for a workload (finalize: is the SDK workload-identity capable now?). */
  readonly decideAgain: (report: WorkloadReport) => Decision;
  /** Whether this run edits a target's workload (every target is still seen, for shared objects). */
  readonly selected: (target: Target) => boolean;
}

export interface PhaseResult {
  readonly subjects: Subject[];
  readonly skipped: Skip[];
  readonly notes: FixNote[];
  /** Changes no subject asks for that an edit may bring along (a label leaving objects it means nothing on). */
  readonly allowed?: readonly Change[];
}

const noClientId = 'no identity with a usable client ID is bound to it, so there is nothing to annotate its ServiceAccount with (see client-id-unknown in pod2wi scan)';

function reasonsText(plan: WorkloadPlan, codes: (code: string) => boolean): string {
  const chosen = plan.reasons.filter((reason) => codes(reason.code));
  const list = chosen.length > 0 ? chosen : plan.reasons.slice(-1);
  return list.map((reason) => `${reason.message}${reason.file ? ` (${reason.file}:${reason.line ?? 1})` : ''}`).join('; ');
}

/** Why a workload is not on a path pod2wi edits: its verdict, with the evidence. */
function verdictReason(plan: WorkloadPlan | null): string {
  if (!plan) return 'no migration plan';
  if (plan.blocked) return `blocked: ${reasonsText(plan, (code) => code.startsWith('blocked-'))}`;
  if (plan.path === 'unknown') return `path unknown: ${reasonsText(plan, (code) => ['application-unlinked', 'no-credential-evidence', 'sdk-version-unknown'].includes(code))}`;
  return `path ${plan.path}`;
}

/** The object a key names in the current state. */
function current(state: EditState, key: ObjectKey): RenderedObject | null {
  return state.scan.objects.find((object) => objectKey(object, null) === key) ?? null;
}

const none: Candidates = { candidates: [], declines: [] };

/** A step that makes the map at `path` of an object hold `pairs`. */
function setStep(key: ObjectKey, path: readonly string[], pairs: Readonly<Record<string, string>>, why: string, shared?: SharedSources, source?: RenderedObject): Step {
  const at = source ? `${source.at.file}:${source.at.line}` : null;
  if (shared && at) for (const [name, value] of Object.entries(pairs)) shared.record(at, [...path, name], value);
  return {
    changes: Object.entries(pairs).map(([name, value]) => ({ op: 'set', object: key, path: [...path, name], value })),
    candidates: (state) => {
      const object = current(state, key);
      const perUnit = shared !== undefined && at !== null && Object.keys(pairs).some((name) => shared.differs(at, [...path, name]));
      return object ? setPairs(state, object, path, pairs, why, true, perUnit) : { candidates: [], declines: [`${key} no longer renders`] };
    },
  };
}

/**
 * The values wanted for one written object across its renders: a base ServiceAccount rendered by two overlays that
 * want different client IDs takes them in each overlay, never in the base.
 */
class SharedSources {
  readonly #values = new Map<string, Set<string>>();

  record(at: string, path: readonly string[], value: string): void {
    const key = `${at}\u0000${path.join('\u0000')}`;
    (this.#values.get(key) ?? this.#values.set(key, new Set()).get(key))?.add(value);
  }

  differs(at: string, path: readonly string[]): boolean {
    return (this.#values.get(`${at}\u0000${path.join('\u0000')}`)?.size ?? 0) > 1;
  }
}

/** A step that removes `name` from the map at `path` of an object. */
function removeStep(key: ObjectKey, path: readonly string[], name: string, why: string): Step {
  return {
    changes: [{ op: 'remove', object: key, path: [...path, name] }],
    candidates: (state) => {
      const object = current(state, key);
      return object ? removeKey(state, object, path, name, why) : none;
    },
  };
}

const proxyPairs = (plan: WorkloadPlan): Record<string, string> =>
  plan.proxy ? { [proxySidecarAnnotation]: 'true', ...(plan.proxy.port !== null ? { [proxyPortAnnotation]: String(plan.proxy.port) } : {}) } : {};

const serviceAccountPairs = (account: ServiceAccountPlan): Record<string, string> => ({
  [clientIdAnnotation]: account.clientId,
  ...(account.tenantId ? { [tenantIdAnnotation]: account.tenantId } : {}),
});

/** Pairs not already in effect with the wanted value. */
function missing(fields: readonly Field[], pairs: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(pairs)) {
    const field = fields.find((candidate) => candidate.key === key);
    if (field && scalarRef(field.value)?.value === value) continue;
    out[key] = value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------- parallel

/**
 * Parallel phase: the use label on the pod template, the client-id (and tenant-id) on the ServiceAccount (created
 * when planned), the proxy annotations on the legacy path. aadpodidbinding stays: both run side by side.
 */
export function parallel(ctx: PhaseContext): PhaseResult {
  const subjects: Subject[] = [];
  const skipped: Skip[] = [];
  const shared = new SharedSources();
  const allowed: Change[] = [];
  for (const target of ctx.targets) {
    const plan = target.plan;
    const id = target.report.id;
    if (!ctx.selected(target) || !plan || plan.path === 'migrated' || plan.path === 'not-applicable') continue;
    if (target.twinOf) {
      skipped.push({ workload: id, reason: twinReason(target), at: targetAt(target), id: 'fix-manual-step' });
      continue;
    }
    if (plan.path === 'unknown' || plan.blocked) {
      skipped.push({ workload: id, reason: verdictReason(plan), at: targetAt(target), id: 'fix-skipped' });
      continue;
    }
    if (!plan.identity || !plan.serviceAccount) {
      skipped.push({ workload: id, reason: noClientId, at: targetAt(target), id: 'fix-skipped' });
      continue;
    }
    const built = target.release ? parallelRelease(ctx, target, plan) : parallelWorkload(ctx, target, plan, shared, allowed);
    if ('decline' in built) skipped.push({ workload: id, reason: built.decline, at: targetAt(target), id: built.id ?? 'fix-manual-step' });
    else if (built.steps.length > 0) subjects.push(built);
  }
  subjects.push(...providerClassesParallel(ctx, skipped, shared));
  return { subjects, skipped, notes: kedaOperatorNotes(ctx), allowed };
}

type Built = Subject | { readonly decline: string; readonly id?: FixFindingId };

/** Why a workload that renders exactly like another (same build, kind, namespace, name) is left to the user. */
function twinReason(target: Target): string {
  return `${target.view.object.at.file} holds the same ${target.report.kind} (namespace ${target.report.namespace}, name ${target.report.name}) as ${target.twinOf ?? 'another file'}, in the same build; pod2wi edits that one and cannot tell this one apart once rendered again: make the same change here by hand`;
}

/**
 * A chart's own mode switch around the pod-identity label (`{{- if eq .Values.armAuth.type "aadPodIdentity" }}`),
 * with the value the chart also compares it to that names workload identity.
 */
function modeSwitch(ctx: PhaseContext, target: Target): { path: readonly string[]; to: string } | null {
  const unit = target.view.object.unit;
  if (unit.kind !== 'chart' && unit.kind !== 'helm-release') return null;
  const label = target.view.template.labels.find((field) => field.key === podIdentityLabel);
  if (!label || label.conditions.length === 0) return null;
  const state = { files: ctx.analysis.manifests.files, scan: ctx.analysis.manifests };
  const comparisons = chartComparisons(state, target.view.object);
  for (const condition of label.conditions) {
    const compared = /\beq\s+\S+\s+"([^"]*)"/.exec(condition.expression)?.[1];
    if (condition.value !== true || compared === undefined) continue;
    const current = comparisons.find((item) => item.value === compared);
    const other = comparisons.find((item) => current && item.path.join('.') === current.path.join('.') && item.value !== compared && /workload/i.test(item.value));
    if (current && other) return { path: current.path, to: other.value };
  }
  return null;
}

function parallelWorkload(ctx: PhaseContext, target: Target, plan: WorkloadPlan, shared: SharedSources, allowed: Change[]): Built {
  const account = plan.serviceAccount;
  if (!account) return { decline: noClientId };
  const id = target.report.id;
  const view = target.view;
  const path = [...view.template.path, 'metadata'];
  const steps: Step[] = [];
  const notes: FixNote[] = [];
  const labels = missing(view.template.labels, { [useLabel]: 'true' });
  const mode = modeSwitch(ctx, target);
  if (mode) {
    // The chart has its own workload-identity mode: switching to it labels the pods (and may annotate the account),
    // and takes pod identity off in the same change, since the chart renders one mode or the other.
    const why = `${id}: switch the chart to its workload-identity mode (.Values.${mode.path.join('.')}: ${mode.to})`;
    const plain = setStep(target.key, [...path, 'labels'], labels, `${id}: label the pod template for workload identity (the webhook only mutates pods carrying it)`);
    steps.push({
      changes: plain.changes,
      candidates: (state) => {
        const object = current(state, target.key);
        const flip = object ? setSwitch(state, object, mode.path, mode.to, why) : none;
        const rest = plain.candidates(state);
        return { candidates: [...flip.candidates, ...rest.candidates], declines: [...flip.declines, ...rest.declines] };
      },
    });
    allowed.push({ op: 'remove', object: target.key, path: [...path, 'labels', podIdentityLabel] });
    for (const object of ctx.analysis.manifests.objects) {
      if (isPodIdentityObject(object) && unitKey(object.unit) === unitKey(view.object.unit)) allowed.push({ op: 'delete', object: objectKey(object, null) });
    }
    notes.push({ id: 'fix-manual-step', at: targetAt(target), message: `${id}: chart ${view.object.unit.path || '.'} renders pod identity or workload identity, not both: once .Values.${mode.path.join('.')} is ${mode.to}, pod identity is off for it; create the federated credential before this deploys` });
  } else if (Object.keys(labels).length > 0) steps.push(setStep(target.key, [...path, 'labels'], labels, `${id}: label the pod template for workload identity (the webhook only mutates pods carrying it)`));
  if (plan.proxy) {
    const annotations = missing(view.template.annotations, proxyPairs(plan));
    if (Object.keys(annotations).length > 0) steps.push(setStep(target.key, [...path, 'annotations'], annotations, `${id}: inject the migration proxy sidecar (legacy SDK: it still asks IMDS for tokens)`));
  }
  const accountSteps = serviceAccountSteps(ctx, target, account, shared);
  if ('decline' in accountSteps) return accountSteps;
  steps.push(...accountSteps);
  if (target.report.kind === 'Pod') {
    notes.push({ id: 'fix-recreate-pod', at: targetAt(target), message: `${id}: the webhook only mutates pods when they are created${account.changesWorkload ? " and a Pod's serviceAccountName cannot change in place" : ''}; delete and re-create the Pod` });
  } else if (target.report.kind === 'Job') {
    notes.push({ id: 'fix-recreate-pod', at: targetAt(target), message: `${id}: a Job's pod template cannot change once it exists; delete and re-create the Job (or let its next run pick the change up)` });
  }
  return { id, at: targetAt(target), steps, notes, why: `${id}: run on workload identity beside pod identity` };
}

/**
 * The ServiceAccount objects a workload may run as: the one of its own unit, else every render of that name in its
 * namespace (a plain manifest's account may come from a Kustomize base that several overlays render).
 */
function accountObjects(ctx: PhaseContext, target: Target, name: string): RenderedObject[] {
  const objects = ctx.analysis.manifests.objects.filter((object) => object.kind === 'ServiceAccount' && objectKey(object, null).endsWith(`|${target.report.namespace}|${name}`));
  const own = objects.find((object) => unitKey(object.unit) === unitKey(target.view.object.unit));
  return own ? [own] : objects;
}

function serviceAccountSteps(ctx: PhaseContext, target: Target, account: ServiceAccountPlan, shared: SharedSources): Step[] | { decline: string; id?: FixFindingId } {
  const id = target.report.id;
  if (account.action === 'chart-values') return { decline: `ServiceAccount ${account.name} is managed by a chart pod2wi cannot see` };
  if (account.action === 'reuse') {
    const objects = accountObjects(ctx, target, account.name);
    const object = objects[0];
    if (!object) return { decline: `cannot find ServiceAccount ${account.name} in ${target.view.object.unit.label}` };
    for (const candidate of objects) {
      const currentId = scalarRef(fieldsOfAnnotations(candidate).find((field) => field.key === clientIdAnnotation)?.value)?.value;
      if (currentId && currentId !== account.clientId) {
        return { decline: `ServiceAccount ${account.name} already has ${clientIdAnnotation}: ${currentId}, not the client ID of the bound identity (${account.clientId}); decide which identity it should use` };
      }
    }
    const why = `${id}: give ServiceAccount ${account.name} the identity's client ID (the webhook sets AZURE_CLIENT_ID from it)`;
    const pairs = missing(fieldsOfAnnotations(object), serviceAccountPairs(account));
    if (Object.keys(pairs).length === 0) return [];
    const step = setStep(objectKey(object, null), ['metadata', 'annotations'], pairs, why, shared, object);
    // A plain workload whose account is one written object rendered by several builds (a Kustomize base under two
    // overlays) cannot say which render its cluster applies: every render takes the annotation, in the same edit.
    const alike = objects.slice(1).filter((other) => other.at.file === object.at.file && other.at.line === object.at.line && Object.keys(missing(fieldsOfAnnotations(other), pairs)).length > 0);
    return [{ ...step, changes: [...step.changes, ...alike.flatMap((other) => setStep(objectKey(other, null), ['metadata', 'annotations'], pairs, why).changes)] }];
  }
  // create
  const workload = target.view.object;
  const namespace = scalarRef(workload.namespace)?.value ?? null;
  const tree: Tree = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: account.name, ...(namespace && workload.namespace?.origin.source === 'manifest' ? { namespace } : {}), annotations: serviceAccountPairs(account) },
  };
  const key = `${unitKey(workload.unit)}|ServiceAccount|${target.report.namespace}|${account.name}`;
  const why = `${id}: ServiceAccount ${account.name} for workload identity (${account.reason === 'default' ? 'the workload ran as default' : account.reason === 'missing' ? 'named by the workload but not in the repository' : 'its account is shared with workloads of other identities'})`;
  const steps: Step[] = [{
    changes: [{ op: 'create', object: key, fields: Object.entries(serviceAccountPairs(account)).map(([name, value]) => [['metadata', 'annotations', name], value] as const) }],
    candidates: (state) => {
      const near = current(state, target.key);
      return near ? createObject(state, near, tree, why) : none;
    },
  }];
  if (account.changesWorkload) {
    const spec = [...target.view.template.path, 'spec'];
    const pairs: Record<string, string> = { serviceAccountName: account.name };
    if (textOf(target.view.template.serviceAccountName) !== null && target.view.template.serviceAccountName?.origin && target.view.object.root) {
      // The deprecated alias would contradict the new name if left behind.
      const alias = fieldNamed(target.view.template.node, 'serviceAccount');
      if (alias && alias.value.kind === 'scalar') pairs.serviceAccount = account.name;
    }
    steps.push(setStep(target.key, spec, pairs, `${id}: run as ServiceAccount ${account.name}`));
  }
  return steps;
}

function fieldsOfAnnotations(object: RenderedObject): Field[] {
  const annotations = object.root.pairs.find((pair) => pair.key === 'metadata');
  const map = annotations?.value.kind === 'map' ? annotations.value.pairs.find((pair) => pair.key === 'annotations')?.value : null;
  return map?.kind === 'map' ? map.pairs.map((pair) => ({ key: pair.key, keyOrigin: pair.keyOrigin, value: pair.value, conditions: pair.conditions ?? [] })) : [];
}

/** The values path (under spec.values) of the map holding a release's pod labels. */
function releaseLabelsPath(target: Target): readonly string[] | null {
  const labels = target.release?.labels;
  const path = labels?.keyOrigin.path;
  if (!labels || !path || isImpliedLabel(labels)) return null;
  return ['spec', 'values', ...path.slice(0, -1).map(String)];
}

function siblingAnnotationsKey(key: string): string | null {
  if (key === 'labels') return 'annotations';
  const match = /^(.*)Labels$/.exec(key);
  return match ? `${match[1]}Annotations` : null;
}

/** A HelmRelease of a chart outside the repository: its values, by the conventions most charts follow. */
function parallelRelease(_ctx: PhaseContext, target: Target, plan: WorkloadPlan): Built {
  const release = target.release;
  const account = plan.serviceAccount;
  if (!release || !account) return { decline: noClientId };
  const id = target.report.id;
  if (isImpliedLabel(release.labels)) {
    // AGIC: the chart labels its pods, and makes their identity and binding, from armAuth; it has its own switch.
    return { decline: `${releaseTitle(release.release)}: the chart puts aadpodidbinding on its pods itself (${release.labels.keyOrigin.via ?? ''}); move it with the chart's own workload-identity setting once its version supports it (pod2wi rules --controllers)`, id: 'fix-chart-cannot-express' };
  }
  const labelsPath = releaseLabelsPath(target);
  if (!labelsPath) return { decline: `cannot locate the values map holding aadpodidbinding (${release.labels.keyOrigin.file}:${release.labels.keyOrigin.line})` };
  const steps: Step[] = [setStep(target.key, labelsPath, { [useLabel]: 'true' }, `${id}: label the chart's pods for workload identity`)];
  if (plan.proxy) {
    const owner = labelsPath[labelsPath.length - 1] ?? '';
    const key = siblingAnnotationsKey(owner);
    if (!key) {
      return { decline: `the chart's values set pod labels under ${labelsPath.slice(2).join('.')}; pod2wi does not know where they take pod annotations. Add ${proxySidecarAnnotation}: "true" to the release's pod annotations`, id: 'fix-chart-cannot-express' };
    }
    steps.push(setStep(target.key, [...labelsPath.slice(0, -1), key], proxyPairs(plan), `${id}: inject the migration proxy sidecar (legacy SDK)`));
  }
  const serviceAccount = release.release.values?.pairs.find((pair) => pair.key === 'serviceAccount')?.value ?? null;
  const create = serviceAccount?.kind === 'map' ? fieldNamed(serviceAccount, 'create') : null;
  if (textOf(create?.value ?? null) === 'false') {
    const named = textOf(fieldNamed(serviceAccount, 'name')?.value ?? null);
    if (named) {
      return { decline: `HelmRelease ${release.release.releaseName.value} sets serviceAccount.create: false, so the chart does not own the ServiceAccount ${account.name}; annotate it where it is defined with ${clientIdAnnotation}: ${account.clientId}`, id: 'fix-chart-cannot-express' };
    }
    // No ServiceAccount of its own: the pods run as the namespace's default, which must not carry this identity. A
    // boolean pod2wi would write as the string "true" (edits set strings), which a chart's values schema refuses.
    const at = create?.keyOrigin;
    return { decline: `${releaseTitle(release.release)} sets serviceAccount.create: false and names no ServiceAccount, so its pods run as the namespace's default one, which must not carry this identity: set serviceAccount.create: true and serviceAccount.name: ${account.name} in its values${at ? ` (${at.file}:${at.line})` : ''}, then run pod2wi fix again`, id: 'fix-chart-cannot-express' };
  }
  steps.push(setStep(target.key, ['spec', 'values', 'serviceAccount', 'annotations'], serviceAccountPairs(account), `${id}: annotate the chart's ServiceAccount with the identity's client ID`));
  return { id, at: targetAt(target), steps, notes: [], why: `${id}: run on workload identity beside pod identity` };
}

/** Whether a release's values show workload identity: the use label beside the pod labels and a client-id. */
function releaseOnWorkloadIdentity(target: Target): boolean {
  const values = target.release?.release.values ?? null;
  const use = fieldNamed(values, useLabel);
  const account = values?.pairs.find((pair) => pair.key === 'serviceAccount')?.value ?? null;
  const clientId = fieldNamed(account, clientIdAnnotation);
  return scalarRef(use?.value)?.value === 'true' && Boolean(scalarRef(clientId?.value)?.value);
}

// ---------------------------------------------------------------------------------------------------- cut-over

/**
 * Cut-over: aadpodidbinding leaves the pods (and the workload's own labels) of workloads the repository shows on
 * workload identity (never a selector), and AzureIdentity, AzureIdentityBinding and AzurePodIdentityException objects
 * go once nothing in the repository needs them. Decided from the current state: run it after the parallel phase.
 */
export function cutover(ctx: PhaseContext): PhaseResult {
  const subjects: Subject[] = [];
  const skipped: Skip[] = [];
  const notes: FixNote[] = [];
  const onWorkloadIdentity = (target: Target) => (target.release ? releaseOnWorkloadIdentity(target) : target.report.migration.path === 'migrated');
  const carrying = ctx.targets.filter((target) => podIdentityFields(target).length > 0 || target.view.metadataLabels.some((field) => field.key === podIdentityLabel));
  const eligible = new Set(carrying.filter((target) => ctx.selected(target) && onWorkloadIdentity(target)).map((target) => target.report.id));
  // A pod whose CSI volume still takes its token through pod identity keeps its label until its class switches too.
  const classes = providerClassesCutover(ctx, eligible);
  for (const [id, reason] of classes.withheld) {
    eligible.delete(id);
    const target = carrying.find((candidate) => candidate.report.id === id);
    if (target) skipped.push({ workload: id, reason, at: targetAt(target), id: 'fix-skipped' });
  }

  for (const target of carrying) {
    const id = target.report.id;
    if (classes.withheld.has(id)) continue;
    if (!eligible.has(id)) {
      const plan = target.plan;
      const reason = plan && (plan.blocked || plan.path === 'unknown')
        ? `still on pod identity, ${verdictReason(plan)}`
        : plan && plan.path !== 'migrated' && !plan.identity
          ? `still on pod identity: ${noClientId}`
          : 'still on pod identity: the repository does not show workload identity configured (the use label on the pod template and the client-id on its ServiceAccount); run and deploy pod2wi fix --phase parallel first';
      if (ctx.selected(target)) skipped.push({ workload: id, reason, at: targetAt(target), id: 'fix-skipped' });
      continue;
    }
    if (target.twinOf) {
      if (ctx.selected(target)) skipped.push({ workload: id, reason: twinReason(target), at: targetAt(target), id: 'fix-manual-step' });
      continue;
    }
    const selector = target.view.selectorLabels.find((field) => field.key === podIdentityLabel);
    if (selector && immutableSelectorKinds.has(target.report.kind)) {
      notes.push({
        id: 'fix-label-in-selector',
        at: { file: selector.keyOrigin.file, line: selector.keyOrigin.line, column: selector.keyOrigin.column },
        message: `${id}: aadpodidbinding is in spec.selector, which is immutable and must match the pod template, so it stays on the pod template too; delete and re-create the ${target.report.kind} without it, or leave it (it does nothing once aad-pod-identity is gone)`,
      });
      continue;
    }
    const why = `${id}: take the pod off aad-pod-identity (it runs on workload identity now)`;
    const steps: Step[] = [];
    if (target.release) {
      const path = releaseLabelsPath(target);
      if (path) steps.push(removeStep(target.key, path, podIdentityLabel, why));
    } else {
      if (podIdentityFields(target).length > 0) steps.push(removeStep(target.key, [...target.view.template.path, 'metadata', 'labels'], podIdentityLabel, why));
      if (target.view.template.path.length > 0 && target.view.metadataLabels.some((field) => field.key === podIdentityLabel)) {
        steps.push(removeStep(target.key, ['metadata', 'labels'], podIdentityLabel, `${id}: the workload's own aadpodidbinding label means nothing once its pods are off pod identity`));
      }
    }
    if (steps.length > 0) subjects.push({ id, at: targetAt(target), steps, notes: [], why });
  }

  // A class switches in the same change as the label leaves its pods: both land, or neither does.
  for (const item of classes.switches) {
    // A workload mounting two classes is already merged with the first: match the parts of merged ids.
    const users = subjects.filter((subject) => subject.id.split(' + ').some((part) => item.users.includes(part)));
    for (const user of users) subjects.splice(subjects.indexOf(user), 1);
    subjects.push({
      id: [...users.map((user) => user.id), item.id].join(' + '),
      at: users[0]?.at ?? item.at,
      steps: [...users.flatMap((user) => user.steps), ...item.steps],
      notes: users.flatMap((user) => user.notes),
      why: [...users.map((user) => user.why), item.why].join('; '),
    });
  }
  subjects.push(...triggerAuthenticationsCutover(ctx, skipped));
  // The subject that takes each workload off pod identity (merged with its classes' switch when it mounts one).
  const subjectOf = (workload: string): string[] => subjects.filter((subject) => subject.id === workload || subject.id.split(' + ').includes(workload)).map((subject) => subject.id);
  subjects.push(...podIdentityObjects(ctx, eligible, carrying, notes, skipped, subjectOf));
  // On objects without pods (a ServiceAccount, an AzureIdentity), aadpodidbinding means nothing: a Kustomize `labels` entry
  // removed for the workloads may take it off them too.
  const allowed: Change[] = ctx.analysis.manifests.objects
    .filter((object) => !readWorkload(object) && fieldsAt(object.root, ['metadata', 'labels']).some((field) => field.key === podIdentityLabel))
    .map((object) => ({ op: 'remove', object: objectKey(object, null), path: ['metadata', 'labels', podIdentityLabel] }));
  return { subjects, skipped, notes, allowed };
}

/** What a person does to remove an identity pod2wi does not delete as an object (the add-on's, a chart's values, a cluster's). */
function manualRemoval(identity: ScanReport['identities'][number]): string {
  const done = 'now that its workloads are on workload identity';
  if (identity.addon) {
    const group = identity.addon.resourceGroup ? shellQuote(identity.addon.resourceGroup) : '<resource-group>';
    const cluster = identity.addon.cluster ? shellQuote(identity.addon.cluster) : '<cluster>';
    const command = `az aks pod-identity delete --resource-group ${group} --cluster-name ${cluster} --namespace ${shellQuote(identity.namespace)} --name ${shellQuote(identity.name)}`;
    return `AzureIdentity ${identity.namespace}/${identity.name} belongs to the AKS pod-identity add-on: run \`${command}\`${identity.addon.declaredIn === 'cluster-export' ? '' : ' and remove it from this declaration'} ${done}`;
  }
  if (identity.source === 'cluster-export') return `AzureIdentity ${identity.namespace}/${identity.name} is in the cluster, not in the repository: \`kubectl delete azureidentity ${shellQuote(identity.name)} -n ${shellQuote(identity.namespace)}\` (and its binding) ${done}`;
  return `AzureIdentity ${identity.namespace}/${identity.name} is declared in the aad-pod-identity chart's values; remove it there (or uninstall the chart) ${done}`;
}

/** Pod-identity objects to delete: a binding whose users are all cut over, an identity whose bindings all go. */
function podIdentityObjects(ctx: PhaseContext, eligible: ReadonlySet<string>, carrying: readonly Target[], notes: FixNote[], skipped: Skip[], subjectOf: (workload: string) => string[]): Subject[] {
  const { report, manifests } = ctx.analysis;
  const remaining = carrying.filter((target) => !eligible.has(target.report.id));
  const deletedBindings = new Set<string>();
  const chosen: { object: RenderedObject; why: string; users: readonly string[] }[] = [];
  const objectsAt = (kind: string, evidence: { file: string; line: number; unit: string }) =>
    manifests.objects.filter((object) => object.kind === kind && isPodIdentityObject(object) && object.at.file === evidence.file && object.at.line === evidence.line && object.unit.label === evidence.unit);
  for (const binding of report.bindings) {
    const objects = objectsAt('AzureIdentityBinding', binding);
    if (objects.length === 0) continue;
    if (binding.usedBy.length === 0) {
      notes.push({ id: 'fix-manual-step', at: { file: binding.file, line: binding.line, column: 1 }, message: `AzureIdentityBinding ${binding.namespace}/${binding.name} selects no workload in the repository; pod2wi keeps it (pods outside the repository may use it): delete it when aad-pod-identity is uninstalled` });
      continue;
    }
    if (!binding.usedBy.every((user) => eligible.has(user))) continue;
    deletedBindings.add(`${binding.unit}|${binding.file}:${binding.line}`);
    for (const object of objects) chosen.push({ object, why: `AzureIdentityBinding ${binding.namespace}/${binding.name}: every workload it selected is on workload identity`, users: binding.usedBy });
  }
  for (const identity of report.identities) {
    const objects = objectsAt('AzureIdentity', identity);
    if (objects.length === 0) {
      if (identity.usedBy.length > 0 && identity.usedBy.every((user) => eligible.has(user))) {
        notes.push({ id: 'fix-manual-step', at: { file: identity.file, line: identity.line, column: 1 }, message: manualRemoval(identity) });
      }
      continue;
    }
    const naming = report.bindings.filter((binding) => binding.azureIdentity === identity.name && binding.namespace === identity.namespace && binding.unit === identity.unit);
    if (identity.usedBy.length === 0 || !identity.usedBy.every((user) => eligible.has(user))) continue;
    if (!naming.every((binding) => deletedBindings.has(`${binding.unit}|${binding.file}:${binding.line}`))) continue;
    for (const object of objects) chosen.push({ object, why: `AzureIdentity ${identity.namespace}/${identity.name}: every workload bound to it is on workload identity`, users: identity.usedBy });
  }
  // Exceptions go last, with MIC/NMI: removed while NMI still runs, the pods they protect lose IMDS (DOMAIN.md §9).
  if (remaining.length === 0 && eligible.size > 0) {
    for (const exception of report.exceptions) {
      notes.push({
        id: 'fix-manual-step',
        at: { file: exception.file, line: exception.line, column: 1 },
        message: `AzurePodIdentityException ${exception.namespace}/${exception.name}: no workload in the repository uses pod identity any more; delete it together with aad-pod-identity (MIC and NMI, or az aks update --disable-pod-identity), never before: while NMI runs, the pods it exempts need it to reach IMDS`,
      });
    }
  }
  // One subject per file the objects are written in: they go together or not at all.
  const byFile = new Map<string, { object: RenderedObject; why: string; users: readonly string[] }[]>();
  for (const item of chosen) {
    // Objects a runbook or script applies from a here-document go with the command that applies them: by hand.
    if (isEmbeddingFile(item.object.at.file)) {
      notes.push({ id: 'fix-manual-step', at: { file: item.object.at.file, line: item.object.at.line, column: 1 }, message: `${item.why}; it is applied by a here-document or code block of ${item.object.at.file}: remove that block, with the command that applies it, by hand` });
      continue;
    }
    pushTo(byFile, item.object.at.file, item);
  }
  return [...byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([file, items]) => ({
    id: `pod-identity objects in ${file}`,
    at: { file, line: items[0]?.object.at.line ?? 1, column: 1 },
    notes: [],
    why: [...new Set(items.map((item) => item.why))].join('; '),
    requires: [...new Set(items.flatMap((item) => item.users.flatMap(subjectOf)))].sort(),
    steps: items.map(({ object, why }): Step => {
      const key = objectKey(object, null);
      return {
        changes: [{ op: 'delete', object: key }],
        candidates: (state) => {
          const found = current(state, key);
          return found ? deleteObject(state, found, why) : none;
        },
      };
    }),
  }));
}

// ------------------------------------------------------------------------------- CSI provider classes and KEDA

/** The rendered object a reported object was read from (its file, line and render). */
function reportedObject(ctx: PhaseContext, kind: string, item: { file: string; line: number; unit: string }): RenderedObject | null {
  return ctx.analysis.manifests.objects.find((object) => object.kind === kind && object.at.file === item.file && object.at.line === item.line && object.unit.label === item.unit) ?? null;
}

const providerClassTitle = (item: SecretProviderClassReport) => `SecretProviderClass ${item.namespace}/${item.name}`;
const providerClassAt = (item: SecretProviderClassReport): Location => ({ file: item.usePodIdentityAt?.file ?? item.file, line: item.usePodIdentityAt?.line ?? item.line, column: 1 });

/**
 * Parallel: a SecretProviderClass on pod identity gets `clientID`, the client ID its pods' ServiceAccount gets in the
 * same phase, and keeps `usePodIdentity: "true"`. The Azure provider checks usePodIdentity before anything else
 * (secrets-store-csi-driver-provider-azure pkg/auth/auth.go GetAuthorizer), so clientID changes nothing until the
 * cut-over turns pod identity off: the mount keeps working side by side.
 */
function providerClassesParallel(ctx: PhaseContext, skipped: Skip[], shared: SharedSources): Subject[] {
  const subjects: Subject[] = [];
  const targets = new Map(ctx.targets.map((target) => [target.report.id, target]));
  for (const item of ctx.analysis.report.secretProviderClasses ?? []) {
    if (!item.podIdentity) continue;
    const users = item.usedBy.map((id) => targets.get(id)).filter((target): target is Target => target !== undefined);
    if (users.length === 0 || !users.some((target) => ctx.selected(target))) continue;
    // The client ID each user runs under on workload identity: planned now, or already on its ServiceAccount.
    const wanted = new Set(users.flatMap((target) => {
      const plan = target.plan;
      if (plan?.path === 'migrated') return target.report.workloadIdentity.clientId ? [target.report.workloadIdentity.clientId] : [];
      return plan && !plan.blocked && (plan.path === 'latest' || plan.path === 'legacy') && plan.serviceAccount ? [plan.serviceAccount.clientId] : [];
    }));
    const title = providerClassTitle(item);
    if (wanted.size === 0) continue;
    if (wanted.size > 1) {
      skipped.push({ workload: title, reason: `mounted by workloads on different identities (${[...wanted].sort().join(', ')}); one clientID serves them all, so give each its own class`, at: providerClassAt(item), id: 'fix-manual-step' });
      continue;
    }
    const clientId = [...wanted][0] ?? '';
    if (item.clientId === clientId) continue;
    if (item.clientId) {
      skipped.push({ workload: title, reason: `already has clientID: ${item.clientId}, not the client ID its pods' ServiceAccount gets (${clientId}); decide which identity reads the vault`, at: providerClassAt(item), id: 'fix-skipped' });
      continue;
    }
    const object = reportedObject(ctx, 'SecretProviderClass', item);
    if (!object) continue;
    const why = `${title}: clientID for workload identity (ignored while usePodIdentity is on)`;
    // A class of a shared base whose overlays want different client IDs takes each in its overlay, as ServiceAccounts do.
    subjects.push({ id: title, at: providerClassAt(item), notes: [], why, steps: [setStep(objectKey(object, null), ['spec', 'parameters'], { clientID: clientId }, why, shared, object)] });
  }
  return subjects;
}

/** Classes that switch off pod identity in this cut-over, and workloads whose label stays because of a class. */
function providerClassesCutover(ctx: PhaseContext, eligible: ReadonlySet<string>): { switches: (Subject & { users: readonly string[] })[]; withheld: Map<string, string> } {
  const switches: (Subject & { users: readonly string[] })[] = [];
  const withheld = new Map<string, string>();
  const reports = new Map(ctx.analysis.report.workloads.map((workload) => [workload.id, workload]));
  const classes = (ctx.analysis.report.secretProviderClasses ?? []).filter((item) => item.podIdentity && item.usedBy.length > 0);
  const blocked = (item: SecretProviderClassReport, reason: string) => {
    for (const user of item.usedBy) if (eligible.has(user) && !withheld.has(user)) withheld.set(user, `mounts ${providerClassTitle(item)}, which takes its Key Vault token through pod identity: ${reason}; aadpodidbinding stays until the class can switch`);
  };
  for (const item of classes) {
    const waiting = item.usedBy.filter((user) => !eligible.has(user));
    if (waiting.length > 0) {
      blocked(item, `${waiting.join(', ')} ${waiting.length === 1 ? 'mounts' : 'mount'} it too and ${waiting.length === 1 ? 'is' : 'are'} not on workload identity yet`);
      continue;
    }
    const wanted = new Set(item.usedBy.map((user) => reports.get(user)?.workloadIdentity.clientId ?? ''));
    const clientId = [...wanted][0] ?? '';
    if (wanted.size !== 1 || !clientId) {
      blocked(item, `its workloads' ServiceAccounts carry ${wanted.size > 1 ? `different client IDs (${[...wanted].sort().join(', ')})` : 'no client ID'}, and one clientID serves them all`);
      continue;
    }
    if (item.clientId && item.clientId !== clientId) {
      blocked(item, `it has clientID: ${item.clientId}, not ${clientId} of its pods' ServiceAccount`);
      continue;
    }
    const object = reportedObject(ctx, 'SecretProviderClass', item);
    const read = object ? readSecretProviderClass(object, null) : null;
    if (!object || !read) continue;
    const title = providerClassTitle(item);
    const why = `${title}: Key Vault tokens through workload identity (clientID, usePodIdentity "false") as its pods leave pod identity`;
    const key = objectKey(object, null);
    const steps = [usePodIdentityOffStep(key, why)];
    if (item.clientId !== clientId) steps.push(setStep(key, ['spec', 'parameters'], { clientID: clientId }, why));
    switches.push({ id: title, at: providerClassAt(item), notes: [], why, users: item.usedBy, steps });
  }
  return { switches, withheld };
}

/**
 * `usePodIdentity: "false"` where it is written: the manifest, patch or template line, or the values key a chart
 * template reads it from (`{{ .Values.keyVault.usePodIdentity | quote }}`), in each values file the render reads.
 */
function usePodIdentityOffStep(key: ObjectKey, why: string): Step {
  const path = ['spec', 'parameters'];
  const written = setStep(key, path, { usePodIdentity: 'false' }, why);
  return {
    changes: written.changes,
    candidates: (state) => {
      const object = current(state, key);
      const origin = scalarRef(getIn(object?.root, [...path, 'usePodIdentity']))?.origin;
      const valuesPath = origin && (origin.source === 'chart-values' || origin.source === 'release-values') && origin.path?.every((step) => typeof step === 'string') ? (origin.path as readonly string[]) : null;
      const viaValues = object && valuesPath && valuesPath.length > 0 ? setSwitch(state, object, valuesPath, 'false', why) : none;
      const direct = written.candidates(state);
      return { candidates: [...viaValues.candidates, ...direct.candidates], declines: [...viaValues.declines, ...direct.declines] };
    },
  };
}

/**
 * Whether the repository shows the KEDA operator on workload identity: a HelmRelease of the KEDA chart with
 * `podIdentity.azureWorkload.enabled: true` (keda.sh docs: the chart then labels the operator's pods and annotates
 * its ServiceAccount), or a KEDA operator workload the scan finds migrated (use label and client-id).
 */
function kedaOperatorOnWorkloadIdentity(ctx: PhaseContext): boolean {
  const { manifests, report } = ctx.analysis;
  const release = manifests.releases.some((item) => /(^|\/)keda\/?$/.test(item.chart ?? '') && textOf(getIn(item.values, ['podIdentity', 'azureWorkload', 'enabled'])) === 'true');
  const workload = report.workloads.some((item) => item.migration.path === 'migrated' && item.containers.some((container) => /(^|\/)kedacore\/keda(:|@|$)/.test(container.image ?? '')));
  return release || workload;
}

/** Parallel: what the KEDA operator needs before its trigger authentications can leave pod identity (pod2wi does not install KEDA). */
function kedaOperatorNotes(ctx: PhaseContext): FixNote[] {
  const triggers = (ctx.analysis.report.triggerAuthentications ?? []).filter((item) => item.podIdentity);
  if (triggers.length === 0 || kedaOperatorOnWorkloadIdentity(ctx)) return [];
  return triggers.map((item) => ({
    id: 'fix-manual-step',
    at: { file: item.providerAt.file, line: item.providerAt.line, column: 1 },
    message: `${item.kind} ${item.namespace === null ? '' : `${item.namespace}/`}${item.name}: the KEDA operator reads it with its own identity; give the operator workload identity (chart values podIdentity.azureWorkload.enabled: true and clientId, plus a federated credential for its ServiceAccount) before the cut-over changes provider azure to ${kedaWorkloadIdentityProvider}`,
  }));
}

/**
 * Cut-over of KEDA trigger authentications: provider `azure` becomes `azure-workload` once the operator runs on
 * workload identity (an identityId stays: KEDA uses it as the client ID). Source: keda.sh docs
 * authentication-providers/azure-ad-workload-identity.
 */
function triggerAuthenticationsCutover(ctx: PhaseContext, skipped: Skip[]): Subject[] {
  const triggers = (ctx.analysis.report.triggerAuthentications ?? []).filter((item) => item.podIdentity);
  if (triggers.length === 0) return [];
  const title = (item: TriggerAuthenticationReport) => `${item.kind} ${item.namespace === null ? '' : `${item.namespace}/`}${item.name}`;
  const at = (item: TriggerAuthenticationReport): Location => ({ file: item.providerAt.file, line: item.providerAt.line, column: 1 });
  if (!kedaOperatorOnWorkloadIdentity(ctx)) {
    for (const item of triggers) {
      skipped.push({ workload: title(item), reason: `stays on provider azure: the repository does not show the KEDA operator on workload identity (its chart's podIdentity.azureWorkload.enabled: true and clientId, or its pods labelled and ServiceAccount annotated); set that up and deploy it first`, at: at(item), id: 'fix-skipped' });
    }
    return [];
  }
  const subjects: Subject[] = [];
  for (const item of triggers) {
    const object = reportedObject(ctx, item.kind, item);
    if (!object || !readTriggerAuthentication(object, null)) continue;
    const why = `${title(item)}: the KEDA operator gets its token through workload identity (provider ${kedaWorkloadIdentityProvider})`;
    subjects.push({ id: title(item), at: at(item), notes: [], why, steps: [setStep(objectKey(object, null), ['spec', 'podIdentity'], { provider: kedaWorkloadIdentityProvider }, why)] });
  }
  return subjects;
}

// ---------------------------------------------------------------------------------------------------- finalize

/**
 * Finalize: once a workload's code is workload-identity capable (decided again from the current scan), the proxy
 * annotations go. The keys are removed: any value of inject-proxy-sidecar, "false" included, injects the proxy.
 */
export function finalize(ctx: PhaseContext): PhaseResult {
  const subjects: Subject[] = [];
  const skipped: Skip[] = [];
  for (const target of ctx.targets) {
    const id = target.report.id;
    if (!ctx.selected(target)) continue;
    const located = proxyFields(target);
    if (located.fields.length === 0) continue;
    const onWorkloadIdentity = target.release ? releaseOnWorkloadIdentity(target) : target.report.migration.path === 'migrated';
    if (!onWorkloadIdentity) {
      skipped.push({ workload: id, reason: 'has the proxy annotations but is not on workload identity yet; finish the parallel phase first', at: targetAt(target), id: 'fix-skipped' });
      continue;
    }
    const decision = target.release && target.plan ? { path: target.plan.path, reasons: target.plan.reasons, blocked: target.plan.blocked } : ctx.decideAgain(target.report);
    if (decision.path !== 'latest') {
      const reasons = decision.reasons.filter((reason) => reason.code.startsWith('uses-') || reason.code.startsWith('sdk-') || reason.code.startsWith('managed-identity') || reason.code === 'application-unlinked' || reason.code === 'no-credential-evidence');
      const text = (reasons.length > 0 ? reasons : decision.reasons.slice(-1)).map((reason) => `${reason.message}${reason.file ? ` (${reason.file}:${reason.line ?? 1})` : ''}`).join('; ');
      skipped.push({ workload: id, reason: `keeps the proxy: ${decision.path === 'legacy' ? 'the code still needs it' : 'pod2wi cannot tell whether the code can do without it'}: ${text}`, at: targetAt(target), id: 'fix-skipped' });
      continue;
    }
    const why = `${id}: the SDK does workload identity itself now; remove the proxy (a "false" value would still inject it)`;
    subjects.push({ id, at: targetAt(target), notes: [], why, steps: located.fields.map((field) => removeStep(target.key, located.path, field.key, why)) });
  }
  return { subjects, skipped, notes: [] };
}

/** The proxy annotations in effect on a workload's pods, and the path of the map holding them. */
function proxyFields(target: Target): { path: readonly string[]; fields: Field[] } {
  const keys = [proxySidecarAnnotation, proxyPortAnnotation];
  if (!target.release) {
    return { path: [...target.view.template.path, 'metadata', 'annotations'], fields: target.view.template.annotations.filter((field) => keys.includes(field.key)) };
  }
  const labelsPath = releaseLabelsPath(target);
  const owner = labelsPath?.[labelsPath.length - 1] ?? '';
  const key = siblingAnnotationsKey(owner);
  if (!labelsPath || !key) return { path: [], fields: [] };
  const path = [...labelsPath.slice(0, -1), key];
  let node: import('../k8s/rendered.js').RNode | null = target.release.release.object.root;
  for (const step of path) node = node?.kind === 'map' ? (node.pairs.find((pair) => pair.key === step)?.value ?? null) : null;
  const fields = node?.kind === 'map' ? node.pairs.filter((pair) => keys.includes(pair.key)).map((pair) => ({ key: pair.key, keyOrigin: pair.keyOrigin, value: pair.value, conditions: pair.conditions ?? [] })) : [];
  return { path, fields };
}

export const runPhase: Readonly<Record<Phase, (ctx: PhaseContext) => PhaseResult>> = { parallel, cutover, finalize };

export type { Change };
