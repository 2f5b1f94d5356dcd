/**
 * What pod2wi knows about identity libraries, loaded from `rules/` and validated: the Azure Identity floors per
 * ecosystem, the legacy / ADAL / MSAL libraries, and the azure-sdk-bom table. `classify` turns a package and version
 * into the verdict fields of a Dependency.
 */
import type { Ecosystem } from '../model/application.js';
import { ConfigError } from '../model/errors.js';
import { loadRuleFile } from '../rules/load.js';
import { compareVersions, isVersion } from './versions/index.js';
import { normalizePypiName } from './versions/pep440.js';
import type { SdkFloor, IdentityLibrary, BomRow } from './knowledge-schema.js';

export type { SdkFloor, IdentityLibrary, BomRow };

/** The Maven coordinates of the Azure SDK BOM whose azure-identity version the table knows. */
export const azureSdkBom = 'com.azure:azure-sdk-bom';

/** Where a package stands: an Azure Identity library, one of the identity libraries, or nothing special. */
export type PackageRole =
  | { readonly kind: 'azure-identity'; readonly floor: SdkFloor }
  | { readonly kind: IdentityLibrary['kind']; readonly library: IdentityLibrary }
  | { readonly kind: 'other' };

/** The verdict fields of a Dependency. */
export interface Verdict {
  readonly supportsWorkloadIdentity: boolean | null;
  readonly managedIdentityTokenExchange: boolean | null;
  readonly legacy: boolean;
}

/** The loaded rule data, with lookups keyed by normalised package name. Created per scan, never shared. */
export interface DependencyKnowledge {
  readonly floors: readonly SdkFloor[];
  readonly libraries: readonly IdentityLibrary[];
  readonly boms: readonly BomRow[];
  readonly byPackage: ReadonlyMap<string, PackageRole>;
}

/** The name as the ecosystem compares names: PEP 503 for PyPI, case-insensitive for NuGet and vcpkg. */
export function packageKey(ecosystem: Ecosystem, name: string): string {
  switch (ecosystem) {
    case 'pypi':
      return `pypi:${normalizePypiName(name)}`;
    case 'nuget':
    case 'vcpkg':
      return `${ecosystem}:${name.toLowerCase()}`;
    default:
      return `${ecosystem}:${name}`;
  }
}

/** Loads and validates rules/sdk-floors.yaml, rules/identity-libraries.yaml and rules/azure-sdk-bom.yaml. */
export function loadDependencyKnowledge(): DependencyKnowledge {
  const floors = loadRuleFile<SdkFloor[]>('sdk-floors.yaml');
  const libraries = loadRuleFile<IdentityLibrary[]>('identity-libraries.yaml');
  const boms = loadRuleFile<BomRow[]>('azure-sdk-bom.yaml');
  return buildKnowledge(floors, libraries, boms);
}

/** Builds the lookups; a package listed twice is a rule error. Exported for tests that bring their own rows. */
export function buildKnowledge(floors: readonly SdkFloor[], libraries: readonly IdentityLibrary[], boms: readonly BomRow[]): DependencyKnowledge {
  const byPackage = new Map<string, PackageRole>();
  const add = (ecosystem: Ecosystem, name: string, role: PackageRole, file: string): void => {
    const key = packageKey(ecosystem, name);
    if (byPackage.has(key)) throw new ConfigError(`rules/${file}: ${ecosystem} package ${name} is listed twice`);
    byPackage.set(key, role);
  };
  for (const floor of floors) add(floor.ecosystem, floor.package, { kind: 'azure-identity', floor }, 'sdk-floors.yaml');
  for (const library of libraries) add(library.ecosystem, library.package, { kind: library.kind, library }, 'identity-libraries.yaml');
  return { floors, libraries, boms, byPackage };
}

export function roleOf(knowledge: DependencyKnowledge, ecosystem: Ecosystem, name: string): PackageRole {
  return knowledge.byPackage.get(packageKey(ecosystem, name)) ?? { kind: 'other' };
}

/**
 * The verdict for one package at one version. Azure Identity: `supportsWorkloadIdentity` at or above the floor,
 * `managedIdentityTokenExchange` at or above the token-exchange version and not a known regression (always false in
 * Go and C++); both null when the version is unknown. Legacy and ADAL libraries: legacy, never workload identity.
 */
export function classify(knowledge: DependencyKnowledge, ecosystem: Ecosystem, name: string, version: string | null): Verdict {
  const role = roleOf(knowledge, ecosystem, name);
  if (role.kind === 'legacy' || role.kind === 'adal') return { supportsWorkloadIdentity: false, managedIdentityTokenExchange: false, legacy: true };
  if (role.kind !== 'azure-identity' || version === null) return { supportsWorkloadIdentity: null, managedIdentityTokenExchange: null, legacy: false };
  const floor = role.floor;
  const atFloor = compareVersions(ecosystem, version, floor.workloadIdentityCredential);
  if (atFloor === null) return { supportsWorkloadIdentity: null, managedIdentityTokenExchange: null, legacy: false };
  let exchange = false;
  if (floor.managedIdentityTokenExchange !== null) {
    const atExchange = compareVersions(ecosystem, version, floor.managedIdentityTokenExchange) ?? -1;
    const regression = floor.tokenExchangeRegressions.some((broken) => compareVersions(ecosystem, version, broken) === 0);
    exchange = atExchange >= 0 && !regression;
  }
  return { supportsWorkloadIdentity: atFloor >= 0, managedIdentityTokenExchange: exchange, legacy: false };
}

/** The azure-identity version a given azure-sdk-bom version manages, when the table has that BOM version. */
export function bomAzureIdentity(knowledge: DependencyKnowledge, bomVersion: string): BomRow | null {
  return knowledge.boms.find((row) => compareVersions('maven', row.bom, bomVersion) === 0) ?? null;
}

/** The Maven name of the Azure Identity library (the one a BOM manages). */
export function azureIdentityMavenName(knowledge: DependencyKnowledge): string | null {
  return knowledge.floors.find((floor) => floor.ecosystem === 'maven')?.package ?? null;
}

/**
 * Is this package listed by default? Every Azure Identity, legacy, ADAL and "relevant" library wherever it appears;
 * MSAL only as a direct dependency (it arrives with every Azure Identity, which is no news).
 */
export function isListed(knowledge: DependencyKnowledge, ecosystem: Ecosystem, name: string, direct: boolean): boolean {
  const role = roleOf(knowledge, ecosystem, name).kind;
  return role === 'msal' ? direct : role !== 'other';
}
