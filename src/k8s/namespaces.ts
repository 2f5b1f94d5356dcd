import type { Location } from '../model/location.js';
import { displayText, textOf, type RenderedObject } from './rendered.js';

/** Where the namespace pod2wi uses for an object came from. */
export type NamespaceSource = 'manifest' | 'kustomization' | 'helm-release' | 'option' | 'default';

export interface EffectiveNamespace {
  readonly value: string;
  readonly at: Location | null;
  readonly source: NamespaceSource;
}

/**
 * The namespace an object lands in: its rendered metadata.namespace (set in the manifest, by a Kustomize
 * `namespace:`, or by `.Release.Namespace`); else the unit's (a HelmRelease's target namespace); else --namespace;
 * else `default`. A namespace the renderer could not know reads as its expression.
 */
export function effectiveNamespace(object: RenderedObject, option: string | null): EffectiveNamespace {
  const own = object.namespace;
  const value = own ? (textOf(own) || (own.kind === 'unknown' ? displayText(own) : null)) : null;
  if (own && value) {
    const source = own.origin.source;
    const from: NamespaceSource = source === 'kustomize-namespace' ? 'kustomization' : source === 'helm-builtin' || source === 'release-values' ? 'helm-release' : 'manifest';
    return { value, at: own.origin, source: from };
  }
  const unit = object.unit.namespace;
  if (unit) return { value: unit.value, at: unit.origin, source: 'helm-release' };
  if (option) return { value: option, at: null, source: 'option' };
  // A chart installed by no one in the repository lands wherever its installer says: never guessed as `default`.
  if (object.unit.kind === 'chart') return { value: '{{ .Release.Namespace }}', at: null, source: 'helm-release' };
  return { value: 'default', at: null, source: 'default' };
}

/** The object's rendered name, or its display text when partly unknown (`{{ .Release.Name }}-api`), else null. */
export function objectName(object: RenderedObject): string | null {
  if (!object.name) return null;
  return textOf(object.name) || displayText(object.name) || null;
}

/** The name when fully known; null when absent or partly unknown. */
export function knownName(object: RenderedObject): string | null {
  return object.name?.kind === 'scalar' ? textOf(object.name) || null : null;
}

/** The name to show: the rendered name, or `(unnamed)`. */
export function displayName(object: RenderedObject): string {
  return objectName(object) ?? '(unnamed)';
}
