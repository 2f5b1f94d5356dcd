/**
 * Applications: folders holding a dependency manifest, with the Azure identity libraries they run and how their code
 * gets tokens. Part of the scan JSON contract (`applications`): fields may be added, never renamed.
 */

export type Ecosystem = 'npm' | 'pypi' | 'nuget' | 'maven' | 'go' | 'vcpkg';

/** How `version` was learned: a lockfile, an exact pin, the lowest version a range allows, or not at all. */
export type VersionResolution = 'locked' | 'exact' | 'range' | 'unresolved';

export interface Dependency {
  readonly ecosystem: Ecosystem;
  /** Package name as the ecosystem spells it (PyPI names normalised per PEP 503; Maven `group:artifact`). */
  readonly name: string;
  /** The version the application runs (locked or exact), or the lowest the declared range allows; null if unknown. */
  readonly version: string | null;
  /** The requirement as written in the manifest (`^3.2.0`, `>=1.13,<2`, `$(AzureIdentityVersion)`), null if none. */
  readonly declared: string | null;
  readonly resolution: VersionResolution;
  /** Why the version could not be known (`variable-not-found`, `remote-parent`, `git-dependency`, ...), else null. */
  readonly skip: string | null;
  /** Where the version (or the declaration, when unresolved) is written. */
  readonly file: string;
  readonly line: number;
  /** At or above the documented workload-identity floor; null when not an identity library or the version is unknown. */
  readonly supportsWorkloadIdentity: boolean | null;
  /** Its ManagedIdentityCredential already performs the token exchange at this version; null when not applicable. */
  readonly managedIdentityTokenExchange: boolean | null;
  /** A library that can only reach IMDS or App Service MSI endpoints. */
  readonly legacy: boolean;
  /** Declared by the application itself (false: only a lockfile, node_modules or a `// indirect` line shows it). */
  readonly direct?: boolean;
  /** The BOM that supplies the version (`com.azure:azure-sdk-bom:1.2.30`), else null. */
  readonly managedBy?: string | null;
}

export type CredentialCategory =
  | 'legacy-library'
  | 'imds-http'
  | 'imds-other'
  | 'nmi-endpoint'
  | 'app-service-msi'
  | 'managed-identity-credential'
  | 'modern'
  | 'wi-excluded'
  | 'hardcoded-token-path'
  | 'cli-identity-login'
  /** A literal token scope without `/.default`: fine for IMDS, refused by the workload-identity exchange. */
  | 'bare-resource-scope'
  /** A token scope from a variable named like a resource (`audience`): its value must end in `/.default` too. */
  | 'runtime-resource-scope';

export type SourceLanguage =
  | 'javascript'
  | 'typescript'
  | 'python'
  | 'csharp'
  | 'java'
  | 'go'
  | 'cpp'
  | 'shell'
  | 'dockerfile'
  | 'terraform'
  | 'yaml';

/**
 * Which managed identity a credential asks for. The migration proxy honours only `client_id` (else it uses
 * AZURE_CLIENT_ID), so `resource-id` and `object-id` selection silently changes identity behind the proxy.
 * `unknown`: an argument is passed that pod2wi cannot follow (a parameter, a value built elsewhere).
 */
export type IdentitySelection = 'client-id' | 'resource-id' | 'object-id' | 'system-assigned/default' | 'unknown';

/** One place in source code where credentials are constructed or tokens are requested. */
export interface CredentialUse {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly language: SourceLanguage;
  /** The API as written in the rules (`ManagedIdentityCredential`, `loginWithMSI`, `169.254.169.254 token`). */
  readonly api: string;
  readonly category: CredentialCategory;
  /** What else matters: `client-id` / `resource-id` / `object-id` selection, the package it resolved to, the URL. */
  readonly detail: string;
  /** The file is a test (path or name says so): reported, but not counted against the verdict. */
  readonly test: boolean;
  /** For managed-identity APIs and raw IMDS calls: how the identity is selected (also the first part of `detail`). */
  readonly selection?: IdentitySelection;
  /**
   * A driver that fetches the token itself (a SqlClient connection string): its package, and the version from which
   * it asks Azure Identity instead of calling IMDS itself.
   */
  readonly via?: { readonly ecosystem: Ecosystem; readonly package: string; readonly throughAzureIdentityFrom: string };
  /**
   * Only while the code stage hands uses to applications: the package the use stands for. A use in an application
   * without that package is a namesake (its own method of the same name) and is dropped; never in a report.
   */
  readonly requires?: { readonly ecosystem: Ecosystem; readonly package: string };
}

export interface Application {
  /** Folder relative to the scan root (`.` for the root). */
  readonly path: string;
  /**
   * `dependencies`: a folder holding a dependency manifest; `container`: a folder holding a Dockerfile (no
   * manifest) whose files use credentials; `loose-files`: credential uses outside every application folder, kept
   * for the record but never linked to a workload.
   */
  readonly kind: 'dependencies' | 'container' | 'loose-files';
  readonly name: string;
  readonly ecosystems: readonly Ecosystem[];
  readonly dependencies: readonly Dependency[];
  readonly credentialUses: readonly CredentialUse[];
  /**
   * Application folders built into this one (a .NET ProjectReference): their code runs in this application's process,
   * so their credential uses count as its own. Absent when there are none.
   */
  readonly includes?: readonly { readonly path: string; readonly file: string; readonly line: number }[];
}

/** The application's dependency of this ecosystem and name (names compared without case), if it has one. */
export function dependencyNamed(app: Pick<Application, 'dependencies'>, ecosystem: Ecosystem, name: string): Dependency | undefined {
  const wanted = name.toLowerCase();
  return app.dependencies.find((dependency) => dependency.ecosystem === ecosystem && dependency.name.toLowerCase() === wanted);
}
