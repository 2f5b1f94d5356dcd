import type { FileSource } from '../files.js';
import type { Origin, RenderedObject } from '../rendered.js';
import type { RenderProblem } from '../files.js';
import type { HelmChartEntry } from './load.js';
import type { ProblemList } from './problems.js';

/** A patch of a build and the objects it matched. */
export interface AppliedPatch {
  readonly kind: 'strategic-merge' | 'json6902';
  /** The kustomization field that lists it. */
  readonly field: 'patches' | 'patchesStrategicMerge' | 'patchesJson6902';
  /** The kustomization (or component) that lists it. */
  readonly kustomization: string;
  /** The patch file; null for a patch written inline. */
  readonly file: string | null;
  /** The patch entry in the kustomization (or the document of a patch file that holds several). */
  readonly at: Origin;
  /** The `target` selector as written (`kind=Deployment, name=api`), or null for a patch matched by its own id. */
  readonly target: string | null;
  /** Objects the patch was applied to, by their id at that step. */
  readonly matched: readonly PatchMatch[];
}

/** An object a patch matched: its id when patched, and the indexes in the build's objects of what became of it. */
export interface PatchMatch {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** Indexes into KustomizeBuild.objects (several when a base is included twice; none when it was deleted). */
  readonly objects: readonly number[];
}

/** A patch match during the build, identified by the resource's source key until the final objects are known. */
export interface PatchRecord extends Omit<AppliedPatch, 'matched'> {
  readonly matched: readonly { readonly kind: string; readonly name: string; readonly namespace: string; readonly key: string }[];
}

/** What the caller's chart renderer returns for a `helmCharts` entry. */
export interface HelmChartRendering {
  readonly objects: readonly RenderedObject[];
  readonly problems: readonly RenderProblem[];
}

/** Renders a kustomization's `helmCharts` entry; null when it cannot (then the chart is reported as not rendered). */
export type RenderHelmChart = (entry: HelmChartEntry, kustomizationPath: string) => HelmChartRendering | null;

/** Bounds on one build, each a problem when reached. */
export interface KustomizeLimits {
  /** Deepest chain of kustomizations including one another. */
  readonly maxDepth: number;
  /** Most objects one kustomization may accumulate. */
  readonly maxObjects: number;
  /** Most tree nodes one kustomization may accumulate (shared subtrees counted once per object). */
  readonly maxNodes: number;
}

export const defaultLimits: KustomizeLimits = { maxDepth: 64, maxObjects: 10_000, maxNodes: 5_000_000 };

/** Everything one kustomization's accumulation writes to besides its resources. */
export interface Sink {
  readonly files: FileSource;
  readonly problems: ProblemList;
  readonly read: Set<string>;
  readonly patches: PatchRecord[];
  readonly limits: KustomizeLimits;
  readonly renderHelmChart: RenderHelmChart | undefined;
  /** Value nodes that sit at several places of their object (see AliasedWrites); shared by the builds of one memo. */
  readonly aliased: WeakSet<object>;
  /** `--load-restrictor LoadRestrictionsNone`: files outside a kustomization's folder (still inside the repository) load. */
  readonly unrestricted: boolean;
  /** Reads a file through the FileSource, recording it in the closure. */
  readFile(path: string): string | null;
}
