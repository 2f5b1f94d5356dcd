import { get, type Origin } from '../rendered.js';
import { matchesLabelSelector, parseLabelSelector } from './label-selector.js';
import type { Selector } from './load.js';
import { problem, type KustomizeProblem } from './problems.js';
import { compileRegex, type LinearRegex } from './regex.js';
import { curId, effectiveNamespace, metadataOf, orgId, type Res } from './resource.js';
import { stringMap } from './tree.js';

/**
 * Kustomize's target selection (resmap Select): group, version, kind, name and namespace are anchored regular
 * expressions (name and namespace tried against the original and the current id), then the label and annotation
 * selectors on the current object.
 */

export interface CompiledSelector {
  readonly select: (res: Res) => boolean;
}

function anchored(pattern: string, at: Origin, problems: KustomizeProblem[]): LinearRegex | null | false {
  if (pattern === '') return null;
  const compiled = compileRegex(`^(?:${pattern})$`);
  if ('error' in compiled) {
    problems.push(problem('invalid-regex', at, `selector ${compiled.error}; nothing is selected`));
    return false;
  }
  return compiled.regex;
}

/** Compiles a selector; null (with a problem) when a part cannot be compiled, which selects nothing. */
export function compileSelector(selector: Selector, problems: KustomizeProblem[]): CompiledSelector | null {
  const parts = {
    group: anchored(selector.group, selector.at, problems),
    version: anchored(selector.version, selector.at, problems),
    kind: anchored(selector.kind, selector.at, problems),
    name: anchored(selector.name, selector.at, problems),
    namespace: anchored(selector.namespace, selector.at, problems),
  };
  if (Object.values(parts).some((part) => part === false)) return null;
  const labels = parseLabelSelector(selector.labelSelector);
  const annotations = parseLabelSelector(selector.annotationSelector);
  if ('error' in labels || 'error' in annotations) {
    problems.push(problem('invalid-selector', selector.at, `${'error' in labels ? labels.error : ''}${'error' in annotations ? annotations.error : ''}`));
    return null;
  }
  const test = (regex: LinearRegex | null | false, value: string) => !regex || regex.test(value);
  return {
    select(res) {
      const cur = curId(res.root);
      const org = orgId(res);
      if (!test(parts.namespace, effectiveNamespace(org)) && !test(parts.namespace, effectiveNamespace(cur))) return false;
      if (!test(parts.name, org.name) && !test(parts.name, cur.name)) return false;
      if (!test(parts.group, cur.group) || !test(parts.version, cur.version) || !test(parts.kind, cur.kind)) return false;
      const metadata = metadataOf(res.root);
      return matchesLabelSelector(labels.selector, stringMap(get(metadata, 'labels'))) && matchesLabelSelector(annotations.selector, stringMap(get(metadata, 'annotations')));
    },
  };
}

/** `kind name` of a selector for messages. */
export function describeSelector(selector: Selector): string {
  const parts = [
    selector.group && `group=${selector.group}`,
    selector.version && `version=${selector.version}`,
    selector.kind && `kind=${selector.kind}`,
    selector.name && `name=${selector.name}`,
    selector.namespace && `namespace=${selector.namespace}`,
    selector.labelSelector && `labelSelector=${selector.labelSelector}`,
    selector.annotationSelector && `annotationSelector=${selector.annotationSelector}`,
  ].filter(Boolean);
  return parts.join(', ') || 'everything';
}
