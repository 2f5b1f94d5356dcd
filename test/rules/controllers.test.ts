import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import type { Io } from '../../src/cli/output.js';
import { ConfigError } from '../../src/model/errors.js';
import { loadControllerTable, matchController, parseImage, readChartVersion, readTag, type ControllerRow } from '../../src/rules/controllers.js';
import { parseControllerTable } from '../../src/rules/controllers-schema.js';
import { expectGolden } from '../helpers/golden.js';

const table = loadControllerTable();
const rulesFile = join(import.meta.dirname, '../../rules/controllers.yaml');

function rows(): ControllerRow[] {
  return parse(readFileSync(rulesFile, 'utf8')) as ControllerRow[];
}

function fakeIo(): { io: Io; out: () => string } {
  let stdout = '';
  return { io: { cwd: process.cwd(), env: {}, stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => undefined } }, out: () => stdout };
}

const image = (reference: string) => matchController(table, { kind: 'image', image: reference });
const chart = (name: string, version: string | null, repository?: string) => matchController(table, { kind: 'chart', name, version, repository: repository ?? null });

describe('rules/controllers.yaml', () => {
  it('loads, with a source on every row and the controllers the migration meets', () => {
    expect(table.map((row) => row.id)).toEqual(expect.arrayContaining(['external-dns', 'cert-manager', 'keda', 'velero-plugin-for-microsoft-azure', 'application-gateway-ingress-controller', 'flux-kustomize-controller', 'flux-source-controller', 'akv2k8s', 'secrets-store-csi-provider-azure', 'dapr', 'aad-pod-identity']));
    for (const row of table) expect(row.sources.length).toBeGreaterThan(0);
  });

  it.each([
    ['a version that is not semver', (data: ControllerRow[]) => { (data[0] as { workloadIdentityVersion: string }).workloadIdentityVersion = '0.13'; }, /rules\/controllers\.yaml: 0\.workloadIdentityVersion: not a semantic version/],
    ['a source that is an internal note', (data: ControllerRow[]) => { (data[1] as { sources: string[] }).sources = ['see the team notes']; }, /rules\/controllers\.yaml: 1\.sources\.0: a source is a URL or owner\/repo:path@tag/],
    ['no source at all', (data: ControllerRow[]) => { (data[2] as { sources: string[] }).sources = []; }, /2\.sources/],
    ['a duplicate id', (data: ControllerRow[]) => { (data[3] as { id: string }).id = data[0]?.id ?? ''; }, /3\.id: id external-dns is listed twice/],
    ['an image with a tag', (data: ControllerRow[]) => { (data[0] as { images: string[] }).images = ['registry.k8s.io/external-dns/external-dns:v0.13.6']; }, /0\.images\.0: registry\/path of an image/],
    ['an unknown field', (data: ControllerRow[]) => { (data[0] as unknown as Record<string, unknown>).floor = '1.0.0'; }, /0: Unrecognized key/],
    ['an image that asks for no token without what to rule out', (data: ControllerRow[]) => { delete (data.find((row) => row.id === 'traefik') as { check?: string }).check; }, /\.check: an image that asks for no Azure token needs `check`/],
    ['a controller without a floor', (data: ControllerRow[]) => { (data[1] as { workloadIdentityVersion: string | null }).workloadIdentityVersion = null; }, /1\.workloadIdentityVersion: a controller that uses pod identity needs/],
  ])('names the file and field for %s', (_name, change, message) => {
    const data = rows();
    change(data);
    expect(() => parseControllerTable(data)).toThrow(ConfigError);
    expect(() => parseControllerTable(data)).toThrow(message);
  });
});

describe('image references and tags', () => {
  it('parses registries, Docker Hub names, tags and digests', () => {
    expect(parseImage('bitnami/external-dns:0.13.6-debian-11-r0')).toEqual({ registry: 'docker.io', path: 'bitnami/external-dns', tag: '0.13.6-debian-11-r0', digest: null });
    expect(parseImage('nginx')).toEqual({ registry: 'docker.io', path: 'library/nginx', tag: null, digest: null });
    expect(parseImage('localhost:5000/x/y:1.0@sha256:abc')).toEqual({ registry: 'localhost:5000', path: 'x/y', tag: '1.0', digest: 'sha256:abc' });
  });

  it('reads versions out of tags', () => {
    expect(readTag('v0.13.6', null)).toEqual({ kind: 'exact', version: '0.13.6' });
    expect(readTag('0.13.6-debian-11-r0', null)).toEqual({ kind: 'exact', version: '0.13.6' });
    expect(readTag('v1.0.0-rc.1', null)).toEqual({ kind: 'exact', version: '1.0.0-rc.1' });
    expect(readTag('1.13', null)).toEqual({ kind: 'range', range: '1.13.x' });
    expect(readTag('latest', null).kind).toBe('none');
    expect(readTag(null, 'sha256:0123').kind).toBe('none');
    expect(readChartVersion('>=1.11.0 <2.0.0')).toEqual({ kind: 'range', range: '>=1.11.0 <2.0.0' });
    expect(readChartVersion('v1.11.0')).toEqual({ kind: 'exact', version: '1.11.0' });
  });
});

describe('matchController', () => {
  it.each([
    ['registry.k8s.io/external-dns/external-dns:v0.13.6', 'external-dns', 'latest'],
    ['registry.k8s.io/external-dns/external-dns:v0.13.5', 'external-dns', 'legacy'],
    ['docker.io/bitnami/external-dns:0.13.6-debian-11-r0', 'external-dns', 'latest'],
    ['bitnami/external-dns:0.13.5-debian-11-r79', 'external-dns', 'legacy'],
    ['registry.k8s.io/external-dns/external-dns@sha256:8a0c86e1f1d1f6c8d66a6a6c1d6f1b1e0e0b8b6e4a1f0f2b3c4d5e6f7a8b9c0d', 'external-dns', 'unknown'],
    ['registry.k8s.io/external-dns/external-dns:v0.14.0@sha256:8a0c86e1f1d1f6c8d66a6a6c1d6f1b1e0e0b8b6e4a1f0f2b3c4d5e6f7a8b9c0d', 'external-dns', 'latest'],
    ['registry.k8s.io/external-dns/external-dns:latest', 'external-dns', 'unknown'],
    ['registry.k8s.io/external-dns/external-dns', 'external-dns', 'unknown'],
    ['myregistry.azurecr.io/mirror/external-dns/external-dns:v0.13.1', 'external-dns', 'legacy'],
    ['quay.io/jetstack/cert-manager-controller:v1.11.0', 'cert-manager', 'latest'],
    ['quay.io/jetstack/cert-manager-controller:v1.10.2', 'cert-manager', 'legacy'],
    ['ghcr.io/kedacore/keda:2.7.1', 'keda', 'legacy'],
    ['ghcr.io/fluxcd/kustomize-controller:v1.0.0-rc.1', 'flux-kustomize-controller', 'latest'],
    ['ghcr.io/fluxcd/kustomize-controller:v1.0.0-beta.4', 'flux-kustomize-controller', 'legacy'],
    ['ghcr.io/fluxcd/source-controller:v0.36.1', 'flux-source-controller', 'legacy'],
    ['velero/velero-plugin-for-microsoft-azure:v1.7.1', 'velero-plugin-for-microsoft-azure', 'legacy'],
    ['mcr.microsoft.com/oss/azure/secrets-store/provider-azure:v1.4.1', 'secrets-store-csi-provider-azure', 'latest'],
    ['mcr.microsoft.com/oss/azure/aad-pod-identity/nmi:v1.8.17', 'aad-pod-identity', 'legacy'],
    ['spvest/azure-keyvault-controller:1.4', 'akv2k8s', 'legacy'],
    ['daprio/daprd:1.11', 'dapr', 'unknown'],
  ])('%s is %s, %s', (reference, id, verdict) => {
    const match = image(reference);
    expect(match?.row.id).toBe(id);
    expect(match?.verdict).toBe(verdict);
    expect(match?.evidence).toContain(reference);
  });

  it('says what to upgrade to, and why a version stays unknown', () => {
    expect(image('registry.k8s.io/external-dns/external-dns:v0.13.5')?.reason).toContain('upgrade to 0.13.6');
    expect(image('registry.k8s.io/external-dns/external-dns@sha256:00')?.reason).toContain('digest');
    expect(image('myregistry.azurecr.io/mirror/external-dns/external-dns:v0.13.1')?.evidence).toContain('mirror');
    expect(image('docker.io/library/busybox:1.36')).toBeNull();
  });

  it('takes an image that asks for no Azure token as latest at any version, with what to rule out', () => {
    for (const reference of ['nginx:1.25', 'traefik:v2.5.3', 'docker.io/library/traefik@sha256:00', 'registry.k8s.io/ingress-nginx/controller:v1.9.4']) {
      const match = image(reference);
      expect(match?.row.role, reference).toBe('no-azure-tokens');
      expect(match?.verdict, reference).toBe('latest');
      expect(match?.row.check, reference).toBeTruthy();
    }
  });

  it.each([
    ['cert-manager', 'v1.11.0', undefined, 'latest'],
    ['cert-manager', '1.10.1', undefined, 'legacy'],
    ['cert-manager', '>=1.11.0 <2.0.0', undefined, 'latest'],
    ['cert-manager', '~1.10.0', undefined, 'legacy'],
    ['cert-manager', '1.x', undefined, 'unknown'],
    ['cert-manager', '*', undefined, 'unknown'],
    ['cert-manager', null, undefined, 'unknown'],
    ['keda', '2.8.0', 'https://kedacore.github.io/charts', 'latest'],
    ['external-dns', '1.13.1', 'https://kubernetes-sigs.github.io/external-dns/', 'latest'],
    ['external-dns', '1.13.0', 'https://kubernetes-sigs.github.io/external-dns', 'legacy'],
    ['external-dns', '6.24.3', 'oci://registry-1.docker.io/bitnamicharts', 'legacy'],
    ['external-dns', '6.25.0', 'https://charts.bitnami.com/bitnami', 'latest'],
    ['external-dns', '6.25.0', undefined, 'unknown'],
    ['akv2k8s', '2.5.0', undefined, 'unknown'],
    ['aad-pod-identity', '4.1.18', undefined, 'legacy'],
  ])('chart %s %s from %s is %s', (name, version, repository, verdict) => {
    expect(chart(name, version, repository)?.verdict).toBe(verdict);
  });

  it('asks for the repository when two charts share a name', () => {
    expect(chart('external-dns', '6.25.0')?.reason).toContain('several charts are named external-dns');
    expect(chart('unknown-chart', '1.0.0')).toBeNull();
  });
});

describe('pod2wi rules --controllers', () => {
  it('prints the table with every row and its sources', async () => {
    const { io, out } = fakeIo();
    expect(await runCli(['rules', '--controllers'], io)).toBe(0);
    const text = out();
    for (const row of table) {
      expect(text).toContain(`(${row.id})`);
      for (const source of row.sources) expect(text.replace(/\n\s+/g, ' ')).toContain(source.replace(/\s+/g, ' '));
    }
    expectGolden(join(import.meta.dirname, '../golden/rules/controllers.txt'), text);
  });

  it('prints JSON', async () => {
    const { io, out } = fakeIo();
    expect(await runCli(['rules', '--controllers', '--format', 'json'], io)).toBe(0);
    const listing = JSON.parse(out()) as { schemaVersion: number; controllers: { id: string; sources: string[] }[] };
    expect(listing.schemaVersion).toBe(1);
    expect(listing.controllers.map((row) => row.id)).toEqual([...listing.controllers.map((row) => row.id)].sort());
  });
});
