import { createColors } from 'picocolors';
import type { ControllerRow } from '../rules/controllers.js';

/** What `pod2wi rules --controllers --format json` prints: the validated rows of rules/controllers.yaml. */
export interface ControllersListing {
  readonly schemaVersion: 1;
  readonly controllers: readonly ControllerRow[];
}

export function buildControllersListing(rows: readonly ControllerRow[]): ControllersListing {
  return { schemaVersion: 1, controllers: [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
}

export function renderControllersJson(listing: ControllersListing): string {
  return `${JSON.stringify(listing, null, 2)}\n`;
}

/** Wraps a long text at spaces to lines of at most `width` characters; continuation lines hang 4 columns deeper. */
function wrap(text: string, indent: string, width = 116): string[] {
  const lines: string[] = [];
  let line = '';
  const prefix = () => (lines.length === 0 ? indent : `${indent}    `);
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && prefix().length + line.length + 1 + word.length > width) {
      lines.push(`${prefix()}${line}`);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(`${prefix()}${line}`);
  return lines;
}

/**
 * The controller table: per controller its images and charts with the first version that supports workload identity,
 * how it used pod identity, what changes on the workload-identity path, and every source.
 */
export function renderControllersText(listing: ControllersListing, options: { readonly color: boolean }): string {
  const c = createColors(options.color);
  const lines: string[] = [];
  lines.push(c.bold('pod2wi rules --controllers: third-party controllers that use pod identity'));
  lines.push('A controller is latest at or above its workload-identity version (change its own settings), legacy below it');
  lines.push('(proxy sidecar, and upgrade), unknown when the version is not pinned (latest tag, digest only, no chart version).');
  lines.push('An image that asks for no Azure token of its own is latest whatever its version: its pod identity can only have');
  lines.push('served what takes tokens on the pod\'s behalf (a SecretProviderClass it mounts).');
  for (const row of listing.controllers) {
    lines.push('', `${c.bold(row.name)} ${c.dim(`(${row.id})`)}`);
    const floor = row.role === 'is-pod-identity'
      ? 'none: aad-pod-identity itself, removed at the end'
      : row.role === 'no-azure-tokens'
        ? 'none needed: asks for no Azure token'
        : row.workloadIdentityVersion ?? 'none';
    lines.push(`  workload identity from: ${floor}`);
    for (const image of row.images) lines.push(`  image  ${image}`);
    for (const chart of row.charts) {
      const repositories = chart.repositories && chart.repositories.length > 0 ? ` (${chart.repositories.join(', ')})` : '';
      lines.push(`  chart  ${chart.name}${repositories}: ${chart.workloadIdentityVersion === null ? 'no stated version' : `from ${chart.workloadIdentityVersion}`}`);
      lines.push(...wrap(`source: ${chart.source}`, '         ').map((line) => c.dim(line)));
    }
    lines.push(...wrap(`pod identity: ${row.podIdentity}`, '  '));
    lines.push(...wrap(`workload identity: ${row.workloadIdentity}`, '  '));
    if (row.check) lines.push(...wrap(`rule out: ${row.check}`, '  '));
    for (const source of row.sources) lines.push(...wrap(`source: ${source}`, '  ').map((line) => c.dim(line)));
  }
  lines.push('', c.dim('Data: rules/controllers.yaml'));
  return `${lines.join('\n')}\n`;
}
