import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileSource, type FileSource } from '../../src/k8s/files.js';
import { displayText, type Origin, type RNode } from '../../src/k8s/rendered.js';
import type { TerraformRead } from '../../src/terraform/read.js';

/** Every file under a folder as a FileSource (root-relative paths with `/`). */
export function folderSource(root: string): FileSource {
  const paths: string[] = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) {
        if (name !== 'expected') visit(full);
      } else paths.push(relative(root, full).split('\\').join('/'));
    }
  };
  visit(root);
  return fileSource(paths, (path) => readFileSync(join(root, ...path.split('/')), 'utf8').replace(/^\uFEFF/, ''));
}

function where(origin: Origin): string {
  return `${origin.file}:${origin.line} (${origin.source}${origin.span ? '' : origin.via ? `, via ${origin.via}` : ', computed'})`;
}

function scalarLine(node: RNode): string {
  if (node.kind === 'scalar') return `${JSON.stringify(node.value)}  @ ${where(node.origin)}`;
  if (node.kind === 'unknown') {
    const reasons = node.parts.flatMap((part) => ('unknown' in part ? [`${part.unknown.reason}`] : []));
    return `${JSON.stringify(displayText(node))} UNKNOWN (${reasons.join('; ')})  @ ${where(node.origin)}`;
  }
  return '';
}

/** Every leaf of a tree as `path = value @ file:line (source)`, unknown content of maps and lists included. */
export function leaves(node: RNode | null, path: string, out: string[]): void {
  if (!node) return;
  if (node.kind === 'scalar' || node.kind === 'unknown') {
    out.push(`    ${path} = ${scalarLine(node)}`);
    return;
  }
  for (const unknown of node.unknowns ?? []) out.push(`    ${path || '.'} + UNKNOWN CONTENT {{ ${unknown.expression} }} (${unknown.reason})  @ ${where(unknown.origin)}`);
  if (node.kind === 'map') {
    if (node.pairs.length === 0 && !node.unknowns) out.push(`    ${path || '.'} = {}  @ ${where(node.origin)}`);
    for (const pair of node.pairs) leaves(pair.value, path ? `${path}.${pair.key}` : pair.key, out);
    return;
  }
  if (node.items.length === 0 && !node.unknowns) out.push(`    ${path || '.'} = []  @ ${where(node.origin)}`);
  node.items.forEach((item, index) => leaves(item, `${path}[${index}]`, out));
}

function field(name: string, node: RNode | null): string {
  return node ? `  ${name}: ${scalarLine(node)}` : `  ${name}: (absent)`;
}

/** A readable account of what was read: releases, objects, module calls, azapi bodies and problems. */
export function describeRead(read: TerraformRead): string {
  const out: string[] = [];
  for (const release of read.releases) {
    out.push(`release ${release.address}  [unit ${release.unit.label}]  @ ${where(release.at)}`);
    out.push(field('name', release.name), field('namespace', release.namespace), field('chart', release.chart), field('repository', release.repository), field('version', release.version));
    out.push(`  chart source: ${JSON.stringify(release.chartSource)}`);
    for (const condition of release.conditions) out.push(`  condition: ${condition.expression} -> ${String(condition.value)}`);
    out.push(`  sets:`);
    for (const set of release.sets) out.push(`    ${set.kind} (${set.form}) ${JSON.stringify(set.name.value)} -> ${JSON.stringify(set.path)} = ${scalarLine(set.value)}`);
    out.push('  values:');
    leaves(release.values, '', out);
    out.push('');
  }
  for (const object of read.objects) {
    out.push(`object ${object.apiVersion} ${object.kind} ${displayText(object.name) ?? '(no name)'}  [unit ${object.unit.label}]  @ ${where(object.at)}`);
    for (const condition of object.conditions) out.push(`  condition: ${condition.expression} -> ${String(condition.value)}`);
    leaves(object.root, '', out);
    out.push('');
  }
  for (const call of read.modules) {
    out.push(`module ${call.address} from ${call.caller}: source ${JSON.stringify(call.source)} -> ${call.dir ?? '(not in the repository)'}  @ ${where(call.at)}`);
    for (const condition of call.conditions) out.push(`  condition: ${condition.expression} -> ${String(condition.value)}`);
    for (const input of call.inputs) leaves(input.value, input.name, out);
    out.push('');
  }
  for (const resource of read.azapi) {
    out.push(`azapi ${resource.address} (${resource.resourceType})  @ ${where(resource.at)}`);
    out.push(field('type', resource.type));
    leaves(resource.body, 'body', out);
    out.push('');
  }
  for (const problem of read.problems) out.push(`problem ${problem.code} @ ${problem.at.file}:${problem.at.line}: ${problem.message}`);
  return `${out.join('\n').trimEnd()}\n`;
}
