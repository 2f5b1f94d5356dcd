import { isMap, isScalar, type Origin, type RNode, type RScalar, type ScalarPart } from '../rendered.js';
import type { Sink } from './context.js';
import { matchesLabelSelector, parseLabelSelector } from './label-selector.js';
import { KustomizationReader, readReplacement, type Kustomization, type Replacement, type Selector } from './load.js';
import { isWithin, joinPath } from './paths.js';
import { problem } from './problems.js';
import { allIds, curId, describeId, idSelectedBy, metadataOf, type Res, type ResId } from './resource.js';
import { AliasedWrites, asSource, computed, stringMap, valueText } from './tree.js';
import { readTree } from '../yaml-tree.js';
import { lookup, matchAll, PathError, splitDottedPath } from './yaml-path.js';
import { get } from '../rendered.js';

/**
 * `replacements` as kustomize's ReplacementTransformer runs them: the source object (selected by id, original or
 * current) gives a field (optionally one part of it, split by a delimiter); each target selection (ids exact, label
 * and annotation selectors, rejections) receives it at each field path. A scalar target keeps its type and takes the
 * text; anything else is replaced by the source node. Written values carry a 'kustomize-replacement' origin whose
 * parts point at the source field.
 */

function selectorId(selector: { group: string; version: string; kind: string; name: string; namespace: string }): ResId {
  return { group: selector.group, version: selector.version, kind: selector.kind, name: selector.name, namespace: selector.namespace };
}

function matchesAnnoAndLabels(res: Res, selector: Selector): boolean {
  const labels = parseLabelSelector(selector.labelSelector);
  const annotations = parseLabelSelector(selector.annotationSelector);
  if ('error' in labels || 'error' in annotations) return false;
  const metadata = metadataOf(res.root);
  return matchesLabelSelector(labels.selector, stringMap(get(metadata, 'labels'))) && matchesLabelSelector(annotations.selector, stringMap(get(metadata, 'annotations')));
}

/** YAML's reading of a scalar's text, as a created field gets it. */
function resolveText(text: string): RScalar['value'] {
  if (text === '' || text === '~' || text === 'null' || text === 'Null' || text === 'NULL') return null;
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?\d+$/.test(text)) return Number(text);
  if (/^[-+]?(\.\d+|\d+(\.\d*)?)([eE][-+]?\d+)?$/.test(text)) return Number(text);
  return text;
}

/** The text as the target scalar's type (kustomize keeps the target's YAML tag and sets only its text). */
function typedAs(target: RNode, text: string): RScalar['value'] {
  if (!isScalar(target) || target.value === null) return resolveText(text);
  if (typeof target.value === 'number') return /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : text;
  if (typeof target.value === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

interface SourceValue {
  readonly node: RNode;
  readonly text: string;
  readonly origin: Origin;
}

function sourceValue(resources: readonly Res[], replacement: Replacement, sink: Sink): SourceValue | null {
  const source = replacement.source;
  if (!source || replacement.targets.length === 0) {
    sink.problems.add(problem('replacement-failed', replacement.at, 'replacements must specify a source and at least one target'));
    return null;
  }
  const id = selectorId(source);
  const matches = resources.filter((res) => allIds(res).some((candidate) => idSelectedBy(candidate, id)));
  if (matches.length !== 1) {
    sink.problems.add(problem('replacement-failed', source.at, `${matches.length === 0 ? 'nothing selected' : 'multiple matches for selector'} by ${describeId(id)} (kustomize stops here)`));
    return null;
  }
  const res = matches[0] as Res;
  let node: RNode | null;
  try {
    node = lookup(res.root, splitDottedPath(source.fieldPath));
  } catch (error) {
    if (!(error instanceof PathError)) throw error;
    node = null;
  }
  const empty = !node || (isScalar(node) && (node.value === null || node.value === '')) || (isMap(node) && node.pairs.length === 0) || (node.kind === 'seq' && node.items.length === 0);
  if (!node || empty) {
    sink.problems.add(problem('replacement-failed', source.at, `fieldPath \`${source.fieldPath}\` is missing for replacement source ${describeId(id)}`));
    return null;
  }
  let text = valueText(node) ?? '';
  if (source.delimiter !== '') {
    if (!isScalar(node)) {
      sink.problems.add(problem('replacement-failed', source.at, 'delimiter option can only be used with scalar nodes'));
      return null;
    }
    const pieces = text.split(source.delimiter);
    if (source.index >= pieces.length || source.index < 0) {
      sink.problems.add(problem('replacement-failed', source.at, `options.index ${source.index} is out of bounds for value ${text}`));
      return null;
    }
    text = pieces[source.index] ?? '';
    node = { ...node, value: text, origin: computed(node.origin, `part ${source.index} of ${source.fieldPath} split by ${source.delimiter}`) };
  }
  return { node, text, origin: node.origin };
}

function apply(resources: readonly Res[], replacement: Replacement, sink: Sink): Res[] {
  const value = sourceValue(resources, replacement, sink);
  if (!value) return [...resources];
  const via = `replacement from ${describeId(selectorId(replacement.source ?? { group: '', version: '', kind: '', name: '', namespace: '' }))} ${replacement.source?.fieldPath ?? ''}`;
  const origin: Origin = { ...asSource(replacement.at, 'kustomize-replacement'), file: replacement.file, span: null, via };
  let out = [...resources];
  for (const target of replacement.targets) {
    if (!target.select) {
      sink.problems.add(problem('replacement-failed', target.at, 'target must specify resources to select'));
      continue;
    }
    const select = target.select;
    const fieldPaths = target.fieldPaths.length > 0 ? target.fieldPaths.map((path) => path.value) : ['metadata.name'];
    out = out.map((res) => {
      if (!matchesAnnoAndLabels(res, select)) return res;
      if (target.reject.some((reject) => (reject.labelSelector !== '' || reject.annotationSelector !== '') && matchesAnnoAndLabels(res, reject))) return res;
      const ids = allIds(res);
      const rejected = target.reject.some((reject) => {
        const rid = selectorId(reject);
        const emptyId = !rid.group && !rid.version && !rid.kind && !rid.name && !rid.namespace;
        return !emptyId && ids.some((id) => idSelectedBy(id, rid));
      });
      if (rejected || !ids.some((id) => idSelectedBy(id, selectorId(select)))) return res;
      let root = res.root;
      for (const fieldPath of fieldPaths) {
        const set = (node: RNode): RNode => {
          if (target.delimiter !== '') {
            if (!isScalar(node)) throw new PathError('delimiter option can only be used with scalar nodes');
            const pieces = (valueText(node) ?? '').split(target.delimiter);
            let index = target.index;
            if (index < 0) {
              pieces.unshift(value.text);
              index = 0;
            } else if (index >= pieces.length) {
              pieces.push(value.text);
              index = pieces.length - 1;
            } else pieces[index] = value.text;
            const parts: ScalarPart[] = pieces.map((piece, i) => ({
              text: `${piece}${i < pieces.length - 1 ? target.delimiter : ''}`,
              origin: i === index ? value.origin : computed(node.origin, 'kept by a replacement'),
            }));
            return { kind: 'scalar', value: typedAs(node, pieces.join(target.delimiter)), origin, parts };
          }
          if (isScalar(node) || node.kind === 'unknown') {
            if (!isScalar(value.node) && value.node.kind !== 'unknown') return { kind: 'scalar', value: typedAs(node, ''), origin, parts: [{ text: '', origin: value.origin }] };
            return { kind: 'scalar', value: typedAs(node, value.text), origin, parts: [{ text: value.text, origin: value.origin }] };
          }
          return value.node;
        };
        try {
          const created = target.create ? (isMap(value.node) ? 'map' : value.node.kind === 'seq' ? 'seq' : 'scalar') : null;
          const writes = new AliasedWrites(sink.aliased);
          const result = matchAll(root, splitDottedPath(fieldPath), writes.wrap(set), created, computed(origin, 'created by a replacement'));
          if (result.count === 0) {
            sink.problems.add(problem('replacement-failed', target.at, `unable to find${target.create ? ' or create' : ''} field "${fieldPath}" in replacement target ${describeId(curId(res.root))}`));
            continue;
          }
          root = writes.apply(result.root);
        } catch (error) {
          if (!(error instanceof PathError)) throw error;
          sink.problems.add(problem('replacement-failed', target.at, `${describeId(curId(res.root))}: ${error.message}`));
        }
      }
      return root === res.root ? res : { ...res, root };
    });
  }
  return out;
}

/** The replacements of a kustomization, inline and from replacement files, in order. */
export function applyReplacements(resources: readonly Res[], kustomization: Kustomization, sink: Sink): Res[] {
  let out = [...resources];
  for (const entry of kustomization.replacements) {
    if (entry.kind === 'inline') {
      out = apply(out, entry.replacement, sink);
      continue;
    }
    const path = joinPath(kustomization.dir, entry.path.value);
    if (path === null || (!sink.unrestricted && !isWithin(path, kustomization.dir))) {
      sink.problems.add(problem(path === null ? 'outside-repository' : 'outside-root', entry.path.node.origin, `replacement file ${entry.path.value} is outside ${path === null ? 'the repository' : 'the kustomization folder'}`));
      continue;
    }
    const text = sink.readFile(path);
    if (text === null) {
      sink.problems.add(problem('replacement-failed', entry.path.node.origin, `replacement file ${entry.path.value} is missing`));
      continue;
    }
    const tree = readTree(path, text, { source: 'kustomize-replacement' });
    if (tree.problems.length > 0) {
      sink.problems.add(problem('replacement-failed', tree.problems[0]?.at ?? entry.path.node.origin, `${path} does not parse: ${tree.problems[0]?.message ?? ''}`));
      continue;
    }
    const reader = new KustomizationReader(path, text);
    for (const doc of tree.documents) {
      const items = doc.node?.kind === 'seq' ? doc.node.items : doc.node ? [doc.node] : [];
      for (const item of items) {
        if (!isMap(item)) continue;
        out = apply(out, readReplacement(reader, item, path, 'replacements', false), sink);
      }
    }
    for (const item of reader.problems) sink.problems.add(item);
  }
  return out;
}
