/**
 * Kustomize rendered in process, as `kustomize build` (Kustomize 5.5) renders it, with an origin on every field, and
 * Flux's post-build substitution. Reads files only through a FileSource, so the same renderer runs on the fix's
 * in-memory edits.
 *
 *   const memo = new KustomizeMemo();
 *   const roots = kustomizeRoots(files, findKustomizations(files), memo);
 *   const builds = roots.map((root) => buildKustomization(files, root, { renderHelmChart }, memo));
 *
 * Problem codes: see `kustomizeProblemCodes` (problems.ts) and `substituteProblemCodes` (substitute.ts).
 */
export { buildKustomization, findKustomizations, kustomizeRoots, KustomizeMemo, type KustomizeBuild, type KustomizeOptions } from './build.js';
export { defaultLimits, type AppliedPatch, type HelmChartRendering, type KustomizeLimits, type PatchMatch, type RenderHelmChart } from './context.js';
export type { HelmChartEntry } from './load.js';
export { isKustomizationPath, kustomizationFileNames } from './paths.js';
export { kustomizeProblemCodes, type KustomizeProblemCode } from './problems.js';
export { fluxVariables, substitute, substituteProblemCodes, type SubstituteOptions, type SubstituteProblemCode, type SubstituteResult, type SubstituteVariable } from './substitute.js';
