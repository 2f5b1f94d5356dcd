import type { RenderProblem } from '../k8s/files.js';
import type { Condition, RenderUnit } from '../k8s/rendered.js';
import { isScalar, isSeq, isMap } from '../k8s/rendered.js';
import type { Evaluator, TfInstance } from './evaluate.js';
import { expressionText } from './evaluate.js';
import type { HclBody } from './hcl-syntax.js';
import { attributeOf, originIn, type TfFile, type TfModule, type TfModuleCall, type TfResource } from './modules.js';

/** Deepest chain of module calls followed, and most instances made: beyond, a problem and no more instances. */
export const maxModuleDepth = 16;
export const maxInstances = 2000;

/**
 * The instances of the repository's modules: every module no local `module` block calls is a root; each call of a
 * local module (`source = "./modules/x"`) makes an instance of it below its caller, so a module called twice is
 * read twice, each time with its own arguments. Cycles and limits become problems.
 */
export function instantiate(modules: readonly TfModule[], problems: RenderProblem[]): TfInstance[] {
  const byDir = new Map(modules.map((module) => [module.dir, module]));
  const called = new Set<string>();
  for (const module of modules) for (const call of module.calls) if (call.dir !== null && byDir.has(call.dir) && call.dir !== module.dir) called.add(call.dir);
  const out: TfInstance[] = [];
  const visit = (instance: TfInstance, chain: readonly string[]) => {
    out.push(instance);
    for (const call of instance.module.calls) {
      if (call.dir === null) continue;
      const target = byDir.get(call.dir);
      const at = originIn(call.file, call.block.span, false);
      if (!target) {
        problems.push({ code: 'terraform-module-missing', at, message: `${call.file.path}:${at.line}: module "${call.name}" uses ${call.source ?? ''}, which holds no .tf file in the repository` });
        continue;
      }
      if (chain.includes(target.dir)) {
        problems.push({ code: 'terraform-module-cycle', at, message: `${call.file.path}:${at.line}: module "${call.name}" calls ${target.dir}, which is already being instantiated (a cycle)` });
        continue;
      }
      if (chain.length >= maxModuleDepth || out.length >= maxInstances) {
        problems.push({ code: 'terraform-module-limit', at, message: `${call.file.path}:${at.line}: module "${call.name}" is not read: more than ${chain.length >= maxModuleDepth ? `${maxModuleDepth} nested module calls` : `${maxInstances} module instances`}` });
        continue;
      }
      const child: TfInstance = {
        module: target,
        address: `${instance.address ? `${instance.address}.` : ''}module.${call.name}`,
        parent: instance,
        call,
        children: new Map(),
      };
      instance.children.set(call.name, child);
      visit(child, [...chain, target.dir]);
    }
  };
  for (const module of modules) {
    if (called.has(module.dir)) continue;
    visit({ module, address: '', parent: null, call: null, children: new Map() }, [module.dir]);
  }
  return out;
}

/** The render unit of an instance: the module folder; the variant is the instance address (empty for a root). */
export function unitOf(instance: TfInstance): RenderUnit {
  const path = instance.module.dir === '' ? '.' : instance.module.dir;
  return { kind: 'terraform', path, variant: instance.address, label: instance.address ? `${path} (${instance.address})` : path };
}

/** `module.a.helm_release.x`: the address Terraform gives a resource of an instance. */
export function addressOf(instance: TfInstance, resource: TfResource): string {
  const own = `${resource.mode === 'data' ? 'data.' : ''}${resource.type}.${resource.name}`;
  return instance.address ? `${instance.address}.${own}` : own;
}

/**
 * Whether a resource (and the module instances around it) exists: `count` known to be 0 is false, a known positive
 * count true; `for_each` over a known empty collection false, a known non-empty one true; anything pod2wi cannot
 * evaluate null.
 */
export function conditionsOf(evaluator: Evaluator, instance: TfInstance, resource: TfResource): Condition[] {
  return [...callChainConditions(evaluator, instance), ...metaConditions(evaluator, instance, resource.block.body, resource.file)];
}

/** The conditions of a module call made from `instance` (and of the calls that made `instance`). */
export function conditionsOfCall(evaluator: Evaluator, instance: TfInstance, call: TfModuleCall): Condition[] {
  return [...callChainConditions(evaluator, instance), ...metaConditions(evaluator, instance, call.block.body, call.file)];
}

function callChainConditions(evaluator: Evaluator, instance: TfInstance): Condition[] {
  const chain: TfInstance[] = [];
  for (let current: TfInstance | null = instance; current?.call && current.parent; current = current.parent) chain.unshift(current);
  return chain.flatMap((current) => (current.call && current.parent ? metaConditions(evaluator, current.parent, current.call.block.body, current.call.file) : []));
}

function metaConditions(evaluator: Evaluator, scope: TfInstance, body: HclBody, file: TfFile): Condition[] {
  const out: Condition[] = [];
  for (const name of ['count', 'for_each'] as const) {
    const attr = attributeOf(body, name);
    if (!attr) continue;
    const value = evaluator.evaluate(attr.expr, file, evaluator.envOf(scope));
    let known: boolean | null = null;
    if (name === 'count' && isScalar(value) && typeof value.value === 'number') known = value.value > 0;
    if (name === 'for_each' && ((isMap(value) && !value.unknowns) || (isSeq(value) && !value.unknowns))) {
      known = isMap(value) ? value.pairs.length > 0 : value.items.length > 0;
    }
    out.push({ expression: `${name} = ${expressionText(file.text, attr.expr.span)}`, value: known, origin: originIn(file, attr.span) });
  }
  return out;
}
