import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileSource, type FileSource } from '../../../src/k8s/files.js';
import { displayText, get, toPlain, type RenderedObject, type ScalarRef } from '../../../src/k8s/rendered.js';
import { addonAsObjects, addonExceptionAsObject } from '../../../src/podidentity/addon/index.js';
import type { AddonException, AddonIdentity, AddonRead, ClusterSetting } from '../../../src/podidentity/addon/types.js';

/** A fixture folder as the readers see it: every file, root-relative paths, BOM removed. */
export function fixtureFiles(root: string): FileSource {
  const paths: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else paths.push(relative(root, full).split(sep).join('/'));
    }
  };
  walk(root);
  return fileSource(paths, (path) => readFileSync(join(root, path), 'utf8').replace(/^\uFEFF/, ''));
}

/** `value @ file:line (via)`, or `{{ unknown }} @ file:line — expression: reason`. */
export function showRef(ref: ScalarRef | null): string | null {
  if (!ref) return null;
  const at = `${ref.origin.file}:${ref.origin.line}`;
  if (ref.value !== null) return `${ref.value} @ ${at}${ref.origin.via ? ` (${ref.origin.via})` : ''}`;
  return `${ref.display} @ ${at} — ${ref.unknowns.map((unknown) => `${unknown.expression}: ${unknown.reason}`).join('; ')}`;
}

function showIdentity(identity: AddonIdentity): Record<string, unknown> {
  return {
    action: identity.action,
    source: identity.source,
    at: `${identity.at.file}:${identity.at.line}`,
    name: showRef(identity.name),
    namespace: showRef(identity.namespace),
    bindingSelector: showRef(identity.bindingSelector),
    clientId: showRef(identity.clientId),
    resourceId: showRef(identity.resourceId),
    objectId: showRef(identity.objectId),
    cluster: showRef(identity.cluster),
    resourceGroup: showRef(identity.resourceGroup),
  };
}

function showException(exception: AddonException): Record<string, unknown> {
  return {
    action: exception.action,
    source: exception.source,
    at: `${exception.at.file}:${exception.at.line}`,
    name: showRef(exception.name),
    namespace: showRef(exception.namespace),
    podLabels: Object.fromEntries(Object.entries(exception.podLabels).map(([key, value]) => [key, showRef(value)])),
    cluster: showRef(exception.cluster),
    resourceGroup: showRef(exception.resourceGroup),
  };
}

function showSetting(setting: ClusterSetting): string {
  const value = setting.enabled === null ? `unknown (${setting.expression ?? '?'})` : String(setting.enabled);
  return `${setting.setting} = ${value} @ ${setting.at.file}:${setting.at.line} [${setting.source}] cluster ${showRef(setting.cluster) ?? '-'}; group ${showRef(setting.resourceGroup) ?? '-'}`;
}

export function showObject(object: RenderedObject): Record<string, unknown> {
  return {
    kind: object.kind,
    name: displayText(object.name),
    namespace: displayText(object.namespace),
    unit: `${object.unit.kind}: ${object.unit.label}`,
    annotations: toPlain(get(get(object.root, 'metadata'), 'annotations')),
    spec: toPlain(get(object.root, 'spec')),
  };
}

/** What was read, as readable JSON: every value with its file and line. */
export function renderAddon(read: AddonRead): string {
  const objects = [
    ...read.identities.flatMap((identity) => addonAsObjects(identity)),
    ...read.exceptions.flatMap((exception) => addonExceptionAsObject(exception) ?? []),
  ];
  const out = {
    identities: read.identities.map(showIdentity),
    exceptions: read.exceptions.map(showException),
    settings: read.settings.map(showSetting),
    objects: objects.map(showObject),
    problems: read.problems.map((problem) => `${problem.code} @ ${problem.at.file}:${problem.at.line}: ${problem.message}`),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
