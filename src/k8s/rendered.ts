/**
 * Rendered objects with origins: what every later stage reads. A renderer (plain manifest, Helm chart, Kustomize
 * build, Flux release) turns its sources into trees of maps, sequences and scalars, each node carrying the place and
 * the kind of source that produced it, the way Kustomize's `config.kubernetes.io/origin` annotation and Helm's
 * `# Source:` lines do, kept in memory. Trees are immutable: a transformer returns a new tree sharing what it did
 * not touch.
 */

/** The kind of source that produced a rendered field. */
export type SourceKind =
  /** A plain YAML or JSON file, also when a kustomization lists it as a resource. */
  | 'manifest'
  /** Text of a Helm template or of a named template (`define`) in a helper file. */
  | 'chart-template'
  /** A chart's values file (values.yaml, or a values-*.yaml layered on it). */
  | 'chart-values'
  /** Values given by whoever installs the chart: a HelmRelease's spec.values, a Terraform helm_release. */
  | 'release-values'
  /** A strategic-merge patch, in its own file or inline in kustomization.yaml. */
  | 'kustomize-patch'
  /** The value of a JSON 6902 patch operation. */
  | 'kustomize-json6902'
  /** kustomization.yaml `labels` / `commonLabels`. */
  | 'kustomize-labels'
  /** kustomization.yaml `commonAnnotations`. */
  | 'kustomize-annotations'
  /** kustomization.yaml `namespace`. */
  | 'kustomize-namespace'
  /** kustomization.yaml `namePrefix` / `nameSuffix`. */
  | 'kustomize-name'
  /** kustomization.yaml `images`. */
  | 'kustomize-images'
  /** kustomization.yaml `replicas`. */
  | 'kustomize-replicas'
  /** kustomization.yaml `replacements` or `vars`. */
  | 'kustomize-replacement'
  /** kustomization.yaml `configMapGenerator` / `secretGenerator`: a generated object and its data. */
  | 'kustomize-generator'
  /** A Flux Kustomization's `postBuild.substitute` / `substituteFrom`. */
  | 'flux-substitute'
  /** Helm's built-in objects: `.Release`, `.Chart`, `.Capabilities`. */
  | 'helm-builtin'
  /** Terraform (HCL): a helm_release `set` block or `values`, a kubernetes_* resource. */
  | 'terraform'
  /** An export of a running cluster (kubectl get -o yaml, az aks show): read, never edited. */
  | 'cluster-export'
  /** An ARM template (JSON): a resource's properties, a parameter's default, a variable. */
  | 'arm-template'
  /** A Bicep file: a resource body, a param default, a var. */
  | 'bicep'
  /** A command line in a shell or PowerShell script, a Makefile recipe or a pipeline step's script. */
  | 'script'
  /** A pipeline's own YAML around its scripts: `env:` of a step, `variables:` of an Azure pipeline. */
  | 'pipeline'
  /** Made by a renderer with no text behind it (an empty map it had to create). */
  | 'generated';

/**
 * Where a rendered value came from. `file`, `line` and `column` (1-based) are where to look; `span` is set only when
 * the rendered value is that text verbatim (a YAML scalar or collection as written, possibly quoted), so a source
 * editor may change the value by splicing those bytes. A value computed from the text (a template action, a
 * prefix added to a name) has `span: null` and says what produced it in `via`.
 */
export interface Origin {
  readonly source: SourceKind;
  /** Root-relative path with `/` separators; empty for `generated`. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** [start, end) offsets into the file's text (BOM removed) of the verbatim source, else null. */
  readonly span: readonly [number, number] | null;
  /** For values sources: the key path inside the values document (`['serviceAccount', 'annotations']`). */
  readonly path?: readonly (string | number)[];
  /** What computed the value when it is not verbatim: the template action, the transformer (`namePrefix: dev-`). */
  readonly via?: string;
}

/** A value the renderer cannot know from the repository (the release name of a chart's defaults, a missing define). */
export interface Unknown {
  /** The expression as written (`.Release.Name`, `include "lib.labels"`, `$(SERVICE_NAME)`, `${CLIENT_ID}`). */
  readonly expression: string;
  /** Why it stays unknown, in words a user understands. */
  readonly reason: string;
  readonly origin: Origin;
}

/** A piece of a scalar that is partly known: literal text, or an unknown. */
export type ScalarPart = { readonly text: string; readonly origin: Origin } | { readonly unknown: Unknown };

export interface RScalar {
  readonly kind: 'scalar';
  /** The value as YAML resolves it. */
  readonly value: string | number | boolean | null;
  readonly origin: Origin;
  /**
   * When the text was assembled from several sources (a template action between literal text), the pieces in order
   * with their own origins; absent when one origin covers it.
   */
  readonly parts?: readonly ScalarPart[];
}

/** A scalar some of whose text is unknown: `{{ .Release.Name }}-api`. Never use its display text as a value. */
export interface RUnknown {
  readonly kind: 'unknown';
  readonly parts: readonly ScalarPart[];
  readonly origin: Origin;
}

export interface RPair {
  readonly key: string;
  readonly keyOrigin: Origin;
  readonly value: RNode;
  /**
   * Template branches taken around this pair inside its object (`if eq .Values.armAuth.type "aadPodIdentity"`),
   * outermost first; absent when none beyond the object's own.
   */
  readonly conditions?: readonly Condition[];
}

export interface RMap {
  readonly kind: 'map';
  readonly pairs: readonly RPair[];
  readonly origin: Origin;
  /**
   * Content the renderer could not know that lands in this map (an `include` of a template that is not in the
   * repository): the map may hold more keys than `pairs`.
   */
  readonly unknowns?: readonly Unknown[];
}

export interface RSeq {
  readonly kind: 'seq';
  readonly items: readonly RNode[];
  readonly origin: Origin;
  readonly unknowns?: readonly Unknown[];
}

export type RNode = RScalar | RUnknown | RMap | RSeq;

/** One build of sources that yields objects: a plain file, a chart with one set of values, a Kustomize root. */
export interface RenderUnit {
  readonly kind: 'manifest' | 'chart' | 'kustomization' | 'helm-release' | 'flux-kustomization' | 'terraform' | 'cluster-export';
  /** The file or folder that defines the unit: the manifest file, the chart folder, the kustomization file. */
  readonly path: string;
  /**
   * Which variant of the unit: the values file layered on a chart's defaults (`values-prod.yaml`), the HelmRelease
   * that installs it, the cluster of a Flux Kustomization. Empty for the unit's only or default variant.
   */
  readonly variant: string;
  /** What a person reads to recognise the unit: `charts/api (values-prod.yaml)`, `overlays/prod`. */
  readonly label: string;
  /**
   * Where objects without a namespace of their own land, when the unit says (a HelmRelease's target namespace);
   * absent when the installer decides.
   */
  readonly namespace?: { readonly value: string; readonly origin: Origin } | null;
}

/** A Kubernetes object as a deploy tool would render it, with where every field came from. */
export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  /** metadata.name as rendered (after prefixes, suffixes and substitutions), or the unknown node when not known. */
  readonly name: RScalar | RUnknown | null;
  /** metadata.namespace as rendered, null when absent (then the unit's default namespace applies). */
  readonly namespace: RScalar | RUnknown | null;
  readonly root: RMap;
  readonly unit: RenderUnit;
  /** Where the object's own text starts (the document or List item in a manifest, patch or template). */
  readonly at: Origin;
  /**
   * Template conditions that decided whether the object renders, outermost first, as written
   * (`if .Values.azureIdentity.enabled`), with what each evaluated to.
   */
  readonly conditions: readonly Condition[];
  /** Index of the object in its unit's output, for a stable order. */
  readonly index: number;
  /** How a Kustomize build produced the object: kustomizations it went through, its file, the patches that changed it. */
  readonly trail?: Trail;
}

/** The provenance of an object rendered by a Kustomize build, for source editors. */
export interface Trail {
  /** Kustomization files from the unit's root down to the one that listed the object's file (or generated it). */
  readonly kustomizations: readonly string[];
  /** The resource file the object was read from; the kustomization file for a generated object. */
  readonly file: string;
  /** Every patch applied to the object, in the order applied. */
  readonly patches: readonly TrailPatch[];
}

/** A patch that changed an object. */
export interface TrailPatch {
  readonly kind: 'strategic-merge' | 'json6902';
  /** The kustomization (or component) that lists the patch. */
  readonly kustomization: string;
  /** The patch file; null for a patch written inline in the kustomization. */
  readonly file: string | null;
  /** Where the patch text starts: the file's first document, or the inline `patch:` value. */
  readonly at: Origin;
}

/** A branch a template took, or would take with other values. */
export interface Condition {
  readonly expression: string;
  /** The value it had in this render; null when it depends on something unknown. */
  readonly value: boolean | null;
  readonly origin: Origin;
}

export function isScalar(node: RNode | null | undefined): node is RScalar {
  return node?.kind === 'scalar';
}

export function isMap(node: RNode | null | undefined): node is RMap {
  return node?.kind === 'map';
}

export function isSeq(node: RNode | null | undefined): node is RSeq {
  return node?.kind === 'seq';
}

/** The value at `key` of a map node (the last pair wins, as in YAML loaders that allow duplicates). */
export function get(node: RNode | null | undefined, key: string): RNode | null {
  if (!isMap(node)) return null;
  for (let i = node.pairs.length - 1; i >= 0; i--) {
    const pair = node.pairs[i];
    if (pair && pair.key === key) return pair.value;
  }
  return null;
}

export function pairOf(node: RNode | null | undefined, key: string): RPair | null {
  if (!isMap(node)) return null;
  for (let i = node.pairs.length - 1; i >= 0; i--) {
    const pair = node.pairs[i];
    if (pair && pair.key === key) return pair;
  }
  return null;
}

export function getIn(node: RNode | null | undefined, path: readonly (string | number)[]): RNode | null {
  let current: RNode | null | undefined = node;
  for (const step of path) {
    if (typeof step === 'number') current = isSeq(current) ? (current.items[step] ?? null) : null;
    else current = get(current, step);
    if (!current) return null;
  }
  return current ?? null;
}

/** A scalar's value as text (YAML's `true`, `8080` as written); null for non-scalars and unknowns. */
export function textOf(node: RNode | null | undefined): string | null {
  if (!isScalar(node)) return null;
  const value = node.value;
  return value === null ? '' : String(value);
}

/** How a scalar or unknown reads to a person: unknown parts as `{{ expression }}`. */
export function displayText(node: RNode | null | undefined): string | null {
  if (!node) return null;
  if (node.kind === 'scalar') return textOf(node);
  if (node.kind !== 'unknown') return null;
  return node.parts.map((part) => ('text' in part ? part.text : `{{ ${part.unknown.expression} }}`)).join('');
}

/** The unknowns of a node and everything under it, in document order. */
export function unknownsOf(node: RNode | null | undefined): Unknown[] {
  if (!node) return [];
  switch (node.kind) {
    case 'scalar':
      return [];
    case 'unknown':
      return node.parts.flatMap((part) => ('unknown' in part ? [part.unknown] : []));
    case 'map':
      return [...(node.unknowns ?? []), ...node.pairs.flatMap((pair) => unknownsOf(pair.value))];
    case 'seq':
      return [...(node.unknowns ?? []), ...node.items.flatMap((item) => unknownsOf(item))];
  }
}

/** The plain data of a node, as a YAML loader would give it; unknowns become their display text. */
export function toPlain(node: RNode | null | undefined): unknown {
  if (!node) return null;
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'unknown':
      return displayText(node);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const pair of node.pairs) out[pair.key] = toPlain(pair.value);
      return out;
    }
    case 'seq':
      return node.items.map((item) => toPlain(item));
  }
}

/** An origin for a value the renderer made itself (an empty map created to hold a label). */
export function generatedOrigin(via: string, near?: Origin): Origin {
  return near
    ? { source: 'generated', file: near.file, line: near.line, column: near.column, span: null, via }
    : { source: 'generated', file: '', line: 1, column: 1, span: null, via };
}

/**
 * A scalar as the inventory reads it: `value` when fully known (YAML's text form), else null with `display`
 * showing the unknown parts (`{{ .Release.Name }}-identity`); `origin` is where the value is written (a values line
 * for a value passed through a template).
 */
export interface ScalarRef {
  readonly value: string | null;
  readonly display: string;
  readonly origin: Origin;
  readonly unknowns: readonly Unknown[];
}

/** A scalar or unknown node as a ScalarRef; null for maps, sequences and absence. */
export function scalarRef(node: RNode | null | undefined): ScalarRef | null {
  if (!node) return null;
  if (node.kind === 'scalar') {
    const value = textOf(node) ?? '';
    // A value assembled from one piece written elsewhere (a substituted variable) is written where that piece is.
    const whole = node.parts?.find((part) => 'text' in part && part.text === value && part.text !== '');
    return { value, display: value, origin: whole && 'text' in whole ? whole.origin : node.origin, unknowns: [] };
  }
  if (node.kind === 'unknown') return { value: null, display: displayText(node) ?? '', origin: node.origin, unknowns: unknownsOf(node) };
  return null;
}
