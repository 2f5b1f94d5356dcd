import type { RenderProblem } from '../files.js';
import type { Origin } from '../rendered.js';

/**
 * The closed set of problems the Kustomize renderer reports. Most are places where `kustomize build` itself stops with
 * an error (the renderer goes on and renders the rest); the others say what pod2wi could not render.
 */
export const kustomizeProblemCodes = {
  /** The kustomization file is not valid YAML. */
  'kustomization-parse': 'the kustomization file does not parse',
  /** A field has the wrong type, is unknown, or the kind/apiVersion is wrong (kustomize refuses the file). */
  'invalid-kustomization': 'kustomize refuses a field of the kustomization',
  /** A folder holds more than one of kustomization.yaml, kustomization.yml, Kustomization. */
  'ambiguous-kustomization': 'several kustomization files in one folder',
  /** A listed file or folder does not exist, or a folder has no kustomization. */
  'missing-resource': 'a listed file or folder is missing',
  /** A URL or git repository: not fetched, nothing rendered for it. */
  'remote-resource': 'a remote resource is not rendered',
  /** A file outside the kustomization's folder, which kustomize's default load restrictor refuses. */
  'outside-root': 'a file outside the kustomization folder',
  /** A path that leaves the repository. */
  'outside-repository': 'a path outside the repository',
  /** A kustomization includes itself, a folder above it, or one that includes it back. */
  cycle: 'kustomizations include each other',
  /** A component that is not kind Component, or a resource folder whose kustomization is a Component. */
  'component-kind': 'a component of the wrong kind',
  /** A resource file is not valid YAML. */
  'resource-parse': 'a resource file does not parse',
  /** A document without kind or metadata.name, or a List with a bad item. */
  'invalid-resource': 'kustomize refuses a resource',
  /** Two resources with the same kind, name and namespace (kustomize: "already registered id"); the first is kept. */
  'duplicate-resource': 'a resource id is registered twice',
  /** A patch that is neither a strategic-merge patch nor a JSON 6902 patch, or whose file is missing. */
  'patch-parse': 'a patch does not parse',
  /** A strategic-merge patch without target whose object is not in the build (kustomize stops). */
  'patch-no-match': 'a patch names no object of the build',
  /** A patch whose target selects nothing (kustomize goes on silently). */
  'patch-target-unmatched': 'a patch target selects nothing',
  /** A JSON 6902 operation that fails (missing path, failed test) or a merge of incompatible nodes. */
  'patch-failed': 'a patch cannot be applied',
  /** `$setElementOrder`, `$retainKeys`, `$deleteFromPrimitiveList`: kustomize leaves them in the output as fields. */
  'smp-directive-kept': 'a strategic-merge directive kustomize does not apply',
  /** A field spec meets a scalar where it needs a map or list, or a transformer field of the wrong kind. */
  'field-type': 'a transformer meets a field of the wrong kind',
  /** The namespace transformer makes two resources identical. */
  'namespace-conflict': 'setting the namespace makes two ids equal',
  /** A replacement whose source or target field is missing, ambiguous or malformed. */
  'replacement-failed': 'a replacement cannot be applied',
  /** A var whose object is not in the build: its `$(VAR)` stays unknown. */
  'var-unresolved': 'a var cannot be resolved',
  /** Two vars with one name, or a var matching several objects. */
  'var-conflict': 'a var is defined twice or ambiguously',
  /** A name reference that several renamed objects could satisfy. */
  'nameref-ambiguous': 'a name reference is ambiguous',
  /** A configMapGenerator or secretGenerator entry that kustomize refuses (missing file, bad literal, repeated key). */
  'generator-failed': 'a generator cannot run',
  /** A `helmCharts` entry the caller could not render. */
  'helm-chart-not-rendered': 'a Helm chart of the kustomization is not rendered',
  /** Plugin generators, transformers, validators, and `crds` / `configurations` pod2wi does not run or read. */
  'unsupported-field': 'a kustomization field pod2wi does not apply',
  /** A target selector, image name or replacement path with a regular expression pod2wi cannot run. */
  'invalid-regex': 'a regular expression is not supported',
  /** A label or annotation selector that does not parse. */
  'invalid-selector': 'a selector does not parse',
  /** Nesting deeper than the depth limit, or more objects or nodes than the build limits. */
  'limit-exceeded': 'a build limit was reached',
  /** An unexpected fault inside one kustomization; the build of that kustomization stops there. */
  'internal-error': 'pod2wi failed inside a kustomization',
} as const;

export type KustomizeProblemCode = keyof typeof kustomizeProblemCodes;

/** A problem of the Kustomize renderer. */
export interface KustomizeProblem extends RenderProblem {
  readonly code: KustomizeProblemCode;
}

export function problem(code: KustomizeProblemCode, at: Origin, message: string): KustomizeProblem {
  return { code, at, message };
}

/**
 * Collects problems, dropping exact repeats (a base reached through several folders reports once). Problems of a Helm
 * chart rendered for `helmCharts` keep the chart renderer's codes.
 */
export class ProblemList {
  readonly #seen = new Set<string>();
  readonly items: RenderProblem[] = [];

  add(item: RenderProblem): void {
    const key = `${item.code}\u0000${item.at.file}\u0000${item.at.line}\u0000${item.at.column}\u0000${item.message}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.items.push(item);
  }

  addAll(items: readonly RenderProblem[]): void {
    for (const item of items) this.add(item);
  }
}
