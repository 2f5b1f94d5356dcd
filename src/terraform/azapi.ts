import type { RenderProblem } from '../k8s/files.js';
import type { Condition, Origin, RenderUnit, RNode, RScalar, RUnknown } from '../k8s/rendered.js';
import type { Evaluator, TfInstance } from './evaluate.js';
import { addressOf, conditionsOf, unitOf } from './instances.js';
import { attributeOf, originIn, type TfResource } from './modules.js';

/** An `azapi_resource` or `azapi_update_resource`: the ARM type it writes and its body as plain data with origins. */
export interface AzapiResource {
  readonly address: string;
  readonly resourceType: 'azapi_resource' | 'azapi_update_resource';
  /** The `type` argument: `Microsoft.ContainerService/managedClusters@2022-11-02-preview`. */
  readonly type: RScalar | RUnknown | null;
  readonly name: RScalar | RUnknown | null;
  /** `parent_id` (azapi_resource) or `resource_id` / `parent_id` (azapi_update_resource). */
  readonly resourceId: RScalar | RUnknown | null;
  readonly parentId: RScalar | RUnknown | null;
  /**
   * The body: `jsonencode({...})` or an HCL object (azapi 2.x) as a tree whose origins point at the HCL, or the
   * JSON/YAML read from a file or heredoc; an unknown when pod2wi cannot read it; null when absent.
   */
  readonly body: RNode | null;
  readonly unit: RenderUnit;
  readonly at: Origin;
  readonly conditions: readonly Condition[];
}

export const azapiTypes = ['azapi_resource', 'azapi_update_resource'] as const;

/** Reads an azapi resource of an instance. */
export function readAzapi(evaluator: Evaluator, instance: TfInstance, resource: TfResource, problems: RenderProblem[]): AzapiResource {
  const env = evaluator.envOf(instance);
  const body = resource.block.body;
  const scalar = (name: string): RScalar | RUnknown | null => {
    const attr = attributeOf(body, name);
    if (!attr) return null;
    const value = evaluator.evaluate(attr.expr, resource.file, env);
    return value.kind === 'scalar' || value.kind === 'unknown' ? value : evaluator.unknown(attr.expr, resource.file, `${name} is not a single value`);
  };
  const bodyAttr = attributeOf(body, 'body');
  let document: RNode | null = null;
  if (bodyAttr) {
    const read = evaluator.document(bodyAttr.expr, resource.file, env, 'terraform');
    for (const message of read.problems) problems.push({ code: 'terraform-azapi-body', at: originIn(resource.file, bodyAttr.span, false), message });
    document = read.node;
  }
  return {
    address: addressOf(instance, resource),
    resourceType: resource.type === 'azapi_update_resource' ? 'azapi_update_resource' : 'azapi_resource',
    type: scalar('type'),
    name: scalar('name'),
    resourceId: scalar('resource_id'),
    parentId: scalar('parent_id'),
    body: document,
    unit: unitOf(instance),
    at: originIn(resource.file, resource.block.span),
    conditions: conditionsOf(evaluator, instance, resource),
  };
}
