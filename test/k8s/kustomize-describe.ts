import { stringify } from 'yaml';
import type { FileSource } from '../../src/k8s/files.js';
import type { KustomizeBuild } from '../../src/k8s/kustomize/index.js';
import { toPlain, type Origin, type RNode, type ScalarPart } from '../../src/k8s/rendered.js';

/**
 * A readable account of a Kustomize build for golden files: each object's plain data (keys sorted, as kustomize
 * prints them), then where the fields that matter came from, as `file:line:column (source)`, with the verbatim text at
 * the origin's span (so a wrong span shows), and the parts of values assembled from several sources.
 */

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, sortKeys(v)]));
  return value;
}

function where(origin: Origin, files: FileSource): string {
  let text = `${origin.file}:${origin.line}:${origin.column} (${origin.source})`;
  if (origin.span) {
    const source = files.read(origin.file);
    const verbatim = source === null ? '?' : source.slice(origin.span[0], origin.span[1]);
    text += ` ${JSON.stringify(verbatim.length > 60 ? `${verbatim.slice(0, 57)}...` : verbatim)}`;
  }
  if (origin.via) text += ` via ${JSON.stringify(origin.via)}`;
  return text;
}

function part(p: ScalarPart, files: FileSource): string {
  return 'text' in p ? `${JSON.stringify(p.text)} @ ${where(p.origin, files)}` : `unknown ${p.unknown.expression} (${p.unknown.reason}) @ ${where(p.unknown.origin, files)}`;
}

const interesting = /^(metadata\.(name|namespace)|.*\.labels\..*|.*\.annotations\..*|.*serviceAccountName|.*\.clientID|.*\.resourceID|.*\.image|spec\.replicas|spec\.azureIdentity|spec\.selector|data\..*|subjects\.(name|namespace)|roleRef\.name|.*\.env\.value|.*\.args|.*\.(configMapRef|secretRef|configMap)\.name)$/;

function origins(node: RNode, path: string, files: FileSource, out: string[]): void {
  if (node.kind === 'map') {
    for (const pair of node.pairs) origins(pair.value, path === '' ? pair.key : `${path}.${pair.key}`, files, out);
    return;
  }
  if (node.kind === 'seq') {
    node.items.forEach((item, i) => origins(item, `${path}[${i}]`, files, out));
    return;
  }
  if (!interesting.test(path.replace(/\[\d+\]/g, ''))) return;
  const shown = node.kind === 'scalar' ? JSON.stringify(node.value) : `unknown`;
  out.push(`  ${path} = ${shown} @ ${where(node.origin, files)}`);
  for (const p of node.parts ?? []) out.push(`      part ${part(p, files)}`);
}

export function describeBuild(build: KustomizeBuild, files: FileSource): string {
  const out: string[] = [];
  out.push(`# ${build.root} (${build.unit.label})`);
  out.push(`files: ${build.files.join(', ')}`);
  out.push(build.problems.length === 0 ? 'problems: none' : 'problems:');
  for (const p of build.problems) out.push(`  ${p.code} @ ${where(p.at, files)}: ${p.message}`);
  out.push(build.patches.length === 0 ? 'patches: none' : 'patches:');
  for (const p of build.patches) {
    const matched = p.matched.map((m) => `${m.kind} ${m.namespace ? `${m.namespace}/` : ''}${m.name} -> [${m.objects.join(',')}]`).join('; ') || 'nothing';
    out.push(`  ${p.kind} ${p.field} of ${p.kustomization} ${p.file ?? 'inline'}${p.target ? ` target(${p.target})` : ''} @ ${where(p.at, files)}: ${matched}`);
  }
  build.objects.forEach((object, i) => {
    const name = object.name?.kind === 'scalar' ? String(object.name.value) : '?';
    const namespace = object.namespace?.kind === 'scalar' ? `${String(object.namespace.value)}/` : '';
    out.push('');
    out.push(`--- [${i}] ${object.kind} ${namespace}${name}`);
    const trail = object.trail;
    if (trail) {
      out.push(`trail: ${trail.kustomizations.join(' > ')}; file ${trail.file}`);
      for (const p of trail.patches) out.push(`  patched by ${p.kind} of ${p.kustomization} ${p.file ?? 'inline'} @ ${p.at.file}:${p.at.line}`);
    }
    out.push(stringify(sortKeys(toPlain(object.root)), { lineWidth: 0 }).trimEnd());
    out.push('origins:');
    origins(object.root, '', files, out);
  });
  return `${out.join('\n')}\n`;
}
