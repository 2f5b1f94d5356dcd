import type { FileSource, RenderProblem } from '../files.js';
import { getIn, isSeq, type RenderedObject } from '../rendered.js';
import { newSink } from './build.js';
import { defaultLimits } from './context.js';
import { KustomizationReader, readPatch, type Kustomization, type PatchEntry } from './load.js';
import { applyPatchEntry } from './patches.js';
import { dirnameOf } from './paths.js';
import { newRes, type Res } from './resource.js';

/**
 * Flux's `spec.patches` of a Kustomization (kustomize.toolkit.fluxcd.io): inline strategic-merge or JSON 6902 patches
 * with a target, which the kustomize-controller appends to the `patches` of the kustomization it builds in `spec.path`
 * (fluxcd/pkg kustomize generator), before post-build substitution. Applied here to the objects that folder renders,
 * with the same patch engine as `kustomization.yaml` patches, so each patched field's origin is the line of the patch
 * in the Flux Kustomization's file. Returns the objects unchanged when the Kustomization has no patches.
 */
export function applyFluxPatches(files: FileSource, flux: RenderedObject, objects: readonly RenderedObject[]): { objects: RenderedObject[]; problems: RenderProblem[] } {
  const list = getIn(flux.root, ['spec', 'patches']);
  if (!isSeq(list) || list.items.length === 0) return { objects: [...objects], problems: [] };
  const file = flux.at.file;
  const reader = new KustomizationReader(file, files.read(file));
  const entries = list.items.flatMap((item): PatchEntry[] => {
    const entry = readPatch(reader, item, 'patches');
    return entry ? [entry] : [];
  });
  const sink = newSink(files, defaultLimits, undefined, new WeakSet());
  const kustomization = fluxAsKustomization(file, flux);
  let resources: Res[] = objects.map((object, index) => newRes(object.root, object.at, `${index}`, object.trail?.file ?? object.at.file, object.trail?.kustomizations ?? [], object.conditions));
  for (const entry of entries) resources = applyPatchEntry(resources, entry, kustomization, sink);
  const byKey = new Map(objects.map((object, index) => [`${index}`, object]));
  const patched = resources.flatMap((res): RenderedObject[] => {
    const original = byKey.get(res.key);
    if (!original) return [];
    if (res.root === original.root) return [original];
    const trail = original.trail ?? { kustomizations: [], file: original.at.file, patches: [] };
    return [{ ...original, root: res.root, trail: { ...trail, patches: [...trail.patches, ...res.patches] } }];
  });
  return { objects: patched, problems: [...reader.problems, ...sink.problems.items] };
}

/** The Flux Kustomization seen as the kustomization that lists its patches (for messages and patch trails). */
function fluxAsKustomization(file: string, flux: RenderedObject): Kustomization {
  return {
    path: file,
    dir: dirnameOf(file),
    kind: 'Kustomization',
    at: flux.at,
    resources: [],
    components: [],
    crds: [],
    configurations: [],
    generators: [],
    transformers: [],
    validators: [],
    namespace: null,
    namePrefix: null,
    nameSuffix: null,
    commonLabels: [],
    labels: [],
    commonAnnotations: [],
    patchesStrategicMerge: [],
    patches: [],
    patchesJson6902: [],
    images: [],
    replicas: [],
    replacements: [],
    vars: [],
    configMapGenerator: [],
    secretGenerator: [],
    generatorOptions: null,
    helmCharts: [],
    sortOrder: null,
    legacySortOrder: null,
  };
}
