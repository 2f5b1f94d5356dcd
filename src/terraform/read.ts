import type { FileSource, RenderProblem } from '../k8s/files.js';
import type { Condition, Origin, RenderedObject, RNode } from '../k8s/rendered.js';
import { compareStrings } from '../model/location.js';
import { readAzapi, azapiTypes, type AzapiResource } from './azapi.js';
import { Evaluator, type TfInstance } from './evaluate.js';
import { conditionsOfCall, instantiate } from './instances.js';
import { readManifestResource, readTypedResource, typedResources } from './kubernetes.js';
import { loadModules, originIn, type TfResource } from './modules.js';
import { readRelease, type TerraformRelease } from './releases.js';

/**
 * Terraform read the way manifests are read: every module of the repository parsed with positions, each local
 * module call instantiated with its arguments, and the resources that put things into a cluster turned into
 * releases (helm_release) and rendered objects (kubernetes_* and manifest resources) whose fields say where in the
 * HCL (or in the YAML file or template Terraform reads) they were written.
 *
 * Problem codes (closed set):
 * - `terraform-syntax`: a `.tf` / `.tfvars` file is not valid HCL (file and line of the first error); the file is skipped.
 * - `terraform-template-syntax`: a `templatefile` template is not a valid Terraform template.
 * - `terraform-file-missing`: `file()` / `templatefile()` reads a path the repository does not hold.
 * - `terraform-module-missing`: a local module source holds no `.tf` file.
 * - `terraform-module-cycle`, `terraform-module-limit`: module calls that are not followed.
 * - `terraform-evaluation-limit`: expression evaluation stopped after its budget (adversarial input).
 * - `terraform-set-name`: a `set` name that is not a Helm `--set` path.
 * - `terraform-values-yaml`, `terraform-values-not-a-map`: a helm_release values item that is not a YAML map.
 * - `terraform-manifest-yaml`, `terraform-manifest-unknown`, `terraform-manifest-not-an-object`: a manifest
 *   resource whose document pod2wi cannot read.
 * - `terraform-azapi-body`: an azapi body that does not parse.
 * - `terraform-read-failed`: reading one resource failed unexpectedly (a defect; the others are still read).
 */

/** A module block as instantiated: which folder, with which arguments (evaluated in the caller). */
export interface TerraformModuleCall {
  /** Address of the instance the call makes (`module.identity_private`, `module.a.module.b`). */
  readonly address: string;
  /** The calling module's folder ('.' for the repository root). */
  readonly caller: string;
  readonly name: string;
  /** The `source` as written, null when it is not a literal. */
  readonly source: string | null;
  /** The local folder it instantiates; null for registry, git or other remote sources. */
  readonly dir: string | null;
  /** Arguments other than meta-arguments, evaluated where the call is (unknown parts stay unknown). */
  readonly inputs: readonly { readonly name: string; readonly value: RNode; readonly at: Origin }[];
  readonly at: Origin;
  /** `count` / `for_each` on the call (and on the calls around its caller). */
  readonly conditions: readonly Condition[];
}

/** Everything read from the repository's Terraform. */
export interface TerraformRead {
  readonly releases: readonly TerraformRelease[];
  readonly objects: readonly RenderedObject[];
  readonly problems: readonly RenderProblem[];
  readonly modules: readonly TerraformModuleCall[];
  readonly azapi: readonly AzapiResource[];
}

/** Reads the Terraform of a repository. Never throws: what cannot be read is a problem, with its file and line. */
export function readTerraform(files: FileSource): TerraformRead {
  const problems: RenderProblem[] = [];
  const modules = loadModules(files, problems);
  const instances = instantiate(modules, problems);
  const evaluator = new Evaluator(files, problems);
  const releases: TerraformRelease[] = [];
  const objects: RenderedObject[] = [];
  const azapi: AzapiResource[] = [];
  const calls: TerraformModuleCall[] = [];
  for (const instance of instances) {
    let index = 0;
    for (const resource of instance.module.resources) {
      if (resource.mode !== 'resource') continue;
      guarded(resource, problems, () => {
        if (resource.type === 'helm_release') {
          releases.push(readRelease(evaluator, files, instance, resource, problems));
        } else if (typedResources[resource.type]) {
          const object = readTypedResource(evaluator, instance, resource, index);
          if (object) {
            objects.push(object);
            index++;
          }
        } else if (resource.type === 'kubernetes_manifest' || resource.type === 'kubectl_manifest') {
          const object = readManifestResource(evaluator, instance, resource, index, problems);
          if (object) {
            objects.push(object);
            index++;
          }
        } else if (azapiTypes.some((type) => type === resource.type)) {
          azapi.push(readAzapi(evaluator, instance, resource, problems));
        }
      });
    }
    calls.push(...callsOf(evaluator, instance));
  }
  const byUnit = (a: { unit: { path: string; variant: string } }, b: { unit: { path: string; variant: string } }) => compareStrings(a.unit.path, b.unit.path) || compareStrings(a.unit.variant, b.unit.variant);
  return {
    releases: releases.sort((a, b) => byUnit(a, b) || compareStrings(a.address, b.address)),
    objects: objects.sort((a, b) => byUnit(a, b) || a.index - b.index),
    problems: dedupeProblems(problems),
    modules: calls.sort((a, b) => compareStrings(a.address, b.address) || compareStrings(a.caller, b.caller)),
    azapi: azapi.sort((a, b) => byUnit(a, b) || compareStrings(a.address, b.address)),
  };
}

/** The azapi resources of the repository (for readers of `podIdentityProfile` in AKS bodies). */
export function readAzapiResources(files: FileSource): { readonly azapi: readonly AzapiResource[]; readonly problems: readonly RenderProblem[] } {
  const read = readTerraform(files);
  return { azapi: read.azapi, problems: read.problems };
}

function guarded(resource: TfResource, problems: RenderProblem[], read: () => void): void {
  try {
    read();
  } catch (error) {
    const at = originIn(resource.file, resource.block.span, false);
    problems.push({ code: 'terraform-read-failed', at, message: `${resource.file.path}:${at.line}: ${resource.type}.${resource.name} could not be read: ${error instanceof Error ? error.message : String(error)}` });
  }
}

function callsOf(evaluator: Evaluator, instance: TfInstance): TerraformModuleCall[] {
  const env = evaluator.envOf(instance);
  return instance.module.calls.map((call) => ({
    address: `${instance.address ? `${instance.address}.` : ''}module.${call.name}`,
    caller: instance.module.dir === '' ? '.' : instance.module.dir,
    name: call.name,
    source: call.source,
    dir: call.dir,
    inputs: call.inputs.map((input) => ({ name: input.name, value: evaluator.evaluate(input.expr, call.file, env), at: originIn(call.file, input.span) })),
    at: originIn(call.file, call.block.span),
    conditions: conditionsOfCall(evaluator, instance, call),
  }));
}

function dedupeProblems(problems: readonly RenderProblem[]): RenderProblem[] {
  const seen = new Set<string>();
  const out: RenderProblem[] = [];
  for (const problem of problems) {
    const key = `${problem.code}\u0000${problem.at.file}\u0000${problem.at.line}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(problem);
  }
  return out.sort((a, b) => compareStrings(a.at.file, b.at.file) || a.at.line - b.at.line || compareStrings(a.code, b.code) || compareStrings(a.message, b.message));
}
