import type { Application, CredentialUse } from './application.js';
import type { Finding } from './finding.js';

/**
 * The JSON contract of `pod2wi scan --format json` (schemaVersion 1), also described by
 * `schema/scan-report.schema.json`. Fields may be added; none is ever renamed or removed.
 */
export interface ScanReport {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: 'pod2wi'; readonly version: string };
  /** The scanned root as given on the command line, with `/` separators. */
  readonly root: string;
  readonly summary: ScanSummary;
  readonly workloads: readonly WorkloadReport[];
  readonly identities: readonly IdentityReport[];
  readonly bindings: readonly BindingReport[];
  readonly exceptions: readonly ExceptionReport[];
  readonly serviceAccounts: readonly ServiceAccountReport[];
  readonly namespaces: readonly NamespaceReport[];
  readonly applications: readonly Application[];
  /**
   * Secrets Store CSI SecretProviderClasses of the Azure provider that pods of the repository mount or that use pod
   * identity; present only when there is one.
   */
  readonly secretProviderClasses?: readonly SecretProviderClassReport[];
  /** KEDA TriggerAuthentications and ClusterTriggerAuthentications with an Azure podIdentity provider; present only when there is one. */
  readonly triggerAuthentications?: readonly TriggerAuthenticationReport[];
  readonly findings: readonly Finding[];
}

export interface ScanSummary {
  readonly files: number;
  readonly manifestFiles: number;
  readonly charts: number;
  readonly kustomizations: number;
  readonly workloads: number;
  readonly withPodIdentity: number;
  readonly applications: number;
  readonly paths: Readonly<Record<MigrationPath, number>>;
  readonly walk: 'git' | 'filesystem';
}

/** file + line (1-based) of the manifest text that proves a claim. */
export interface Evidence {
  readonly file: string;
  readonly line: number;
}

export type MigrationPath = 'latest' | 'legacy' | 'migrated' | 'unknown' | 'not-applicable';

export interface MigrationReason extends Partial<Evidence> {
  /** Stable kebab-case code for the reason. */
  readonly code: string;
  readonly message: string;
}

/** A chart a release installs: name, pinned version and repository as written (file:line of the version, else the chart). */
export interface ChartInstallReport extends Evidence {
  readonly name: string;
  readonly version: string | null;
  readonly repository: string | null;
}

export interface WorkloadReport extends Evidence {
  /** `Kind/namespace/name`; when two workloads would share it, `@<origin>` is appended. */
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly namespaceSource: 'manifest' | 'kustomization' | 'helm-release' | 'option' | 'default';
  /** Where the namespace is written, when it is written somewhere. */
  readonly namespaceAt: Evidence | null;
  readonly source: ObjectSource;
  /** For a release of a chart pod2wi does not render (a Flux HelmRelease, a Terraform helm_release): the chart it installs. */
  readonly chart?: ChartInstallReport;
  /** Last line of the object's text (with `line`, the range its own credential uses are looked for in). */
  readonly endLine: number;
  /** Credential uses written in the workload's own manifest (an init container running `az login --identity`). */
  readonly credentialUses: readonly CredentialUse[];
  /** The kustomization, chart folder or HelmRelease that rendered it; null for a plain manifest. */
  readonly origin: string | null;
  /** The render it comes from, as a person reads it (`overlays/prod`, `charts/api (values-prod.yaml)`, the file). */
  readonly unit: string;
  /** A kind pod2wi does not know but that has a pod template (spec.template.spec.containers). */
  readonly generic: boolean;
  readonly serviceAccount: {
    readonly name: string;
    /** `spec.serviceAccountName` was absent: the pod runs as `default`. */
    readonly implicit: boolean;
    readonly exists: boolean;
  } & Evidence;
  readonly podIdentity: PodIdentityReport | null;
  readonly workloadIdentity: {
    readonly useLabel: boolean;
    readonly clientId: string | null;
    readonly tenantId: string | null;
    readonly proxySidecar: boolean;
    readonly proxySidecarPort: string | null;
    readonly useLabelAt: Evidence | null;
    readonly clientIdAt: Evidence | null;
  };
  readonly os: 'linux' | 'windows' | 'unknown';
  readonly osAt: Evidence | null;
  readonly hostNetwork: boolean;
  readonly containers: readonly {
    readonly name: string | null;
    readonly image: string | null;
    readonly ports: readonly number[];
    readonly init: boolean;
    /** Where the image is written (a values line when templated). */
    readonly imageAt: Evidence | null;
  }[];
  /** Other sidecar injectors the pod template or its namespace asks for (their iptables rules meet the proxy's). */
  readonly injectedSidecars: readonly ({ readonly system: 'istio' | 'linkerd' | 'dapr' } & Evidence)[];
  readonly migration: {
    readonly path: MigrationPath;
    readonly blocked: boolean;
    /** Why the path (and any block), each with the line that proves it. */
    readonly reasons: readonly MigrationReason[];
    /** What does not change the path but needs attention. */
    readonly warnings: readonly MigrationReason[];
  };
}

/** A Namespace object in the repository, with what matters to the migration. */
export interface NamespaceReport extends Evidence {
  readonly name: string;
  /** `pod-security.kubernetes.io/enforce`, when set. */
  readonly podSecurityEnforce: string | null;
}

export interface PodIdentityReport extends Evidence {
  /** The aadpodidbinding value (resolved from Helm values when templated), null when it could not be resolved. */
  readonly selector: string | null;
  /** The template text when the value is templated. */
  readonly template: string | null;
  /** Where a templated value was resolved (a values.yaml line). */
  readonly resolvedAt: Evidence | null;
  /** How the label reaches the pod template. */
  readonly via: 'inline' | 'include' | 'values' | 'kustomize';
  /** Template conditions around the label (`if .Values.podIdentity.enabled`). */
  readonly conditions: readonly string[];
  /** The label is also in spec.selector.matchLabels (immutable). */
  readonly inSelector: boolean;
  readonly identities: readonly BoundIdentity[];
}

export type IdentityType = 'user-assigned-managed-identity' | 'service-principal' | 'service-principal-certificate';

export interface IdentityFields extends Evidence {
  readonly name: string;
  readonly namespace: string;
  readonly type: IdentityType;
  readonly clientId: string | null;
  readonly tenantId: string | null;
  readonly resourceId: string | null;
  readonly subscriptionId: string | null;
  readonly resourceGroup: string | null;
  readonly identityName: string | null;
  /** Where clientID is written (or, when templated, the values line it came from). */
  readonly clientIdAt: Evidence | null;
  readonly tenantIdAt: Evidence | null;
  readonly resourceIdAt: Evidence | null;
}

export interface BoundIdentity extends IdentityFields {
  readonly binding: { readonly name: string; readonly namespace: string } & Evidence;
  readonly crossNamespace: boolean;
}

/** What declared an object: a manifest, a chart, a kustomization, Terraform, the AKS add-on (IaC or `az`), a cluster export. */
export type ObjectSource = 'manifest' | 'helm' | 'kustomize' | 'terraform' | 'addon' | 'cluster-export';

export interface IdentityReport extends IdentityFields {
  readonly namespaced: boolean;
  readonly source: ObjectSource;
  /** The render it comes from (one overlay, one chart render): an identity of a shared base appears once per overlay. */
  readonly unit: string;
  /** Workload ids bound to it. */
  readonly usedBy: readonly string[];
  /** For an identity of the AKS pod-identity add-on: the cluster and group it is added to, when the declaration says. */
  readonly addon?: AddonReport;
}

/** Where an add-on identity lives: `az aks pod-identity delete --resource-group <group> --cluster-name <cluster>`. */
export interface AddonReport {
  readonly cluster: string | null;
  readonly resourceGroup: string | null;
  /** How it is declared: `bicep`, `arm`, `terraform`, `az-cli`, `pipeline`, `manifest` (a JSON/YAML profile document). */
  readonly declaredIn: string;
}

export interface BindingReport extends Evidence {
  readonly name: string;
  readonly namespace: string;
  readonly unit: string;
  readonly selector: string | null;
  readonly azureIdentity: string | null;
  readonly identityFound: boolean;
  readonly usedBy: readonly string[];
}

export interface ExceptionReport extends Evidence {
  readonly name: string;
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
}

/** A SecretProviderClass of the Azure Key Vault provider and the workloads that mount it. */
export interface SecretProviderClassReport extends Evidence {
  readonly name: string;
  readonly namespace: string;
  readonly unit: string;
  /** spec.parameters.usePodIdentity as written (null when absent). */
  readonly usePodIdentity: string | null;
  readonly usePodIdentityAt: Evidence | null;
  /** The provider asks aad-pod-identity (NMI) for the mounting pod's token: usePodIdentity parses as true. */
  readonly podIdentity: boolean;
  /** spec.parameters.clientID: the identity the provider uses on workload identity. */
  readonly clientId: string | null;
  readonly clientIdAt: Evidence | null;
  /** Workloads (ids) whose pod template mounts it through the CSI driver in its namespace. */
  readonly usedBy: readonly string[];
}

/** A KEDA trigger authentication with an Azure podIdentity provider. */
export interface TriggerAuthenticationReport extends Evidence {
  readonly kind: 'TriggerAuthentication' | 'ClusterTriggerAuthentication';
  readonly name: string;
  /** Null for a ClusterTriggerAuthentication, which is cluster-scoped. */
  readonly namespace: string | null;
  readonly unit: string;
  /** `azure` (aad-pod-identity) or `azure-workload` (workload identity). */
  readonly provider: string;
  readonly providerAt: Evidence;
  readonly podIdentity: boolean;
  /** spec.podIdentity.identityId: the client ID KEDA asks a token for, when set. */
  readonly identityId: string | null;
}

export interface ServiceAccountReport extends Evidence {
  readonly name: string;
  readonly namespace: string;
  readonly unit: string;
  readonly clientId: string | null;
  readonly tenantId: string | null;
  /** An azure.workload.identity/use label on the ServiceAccount: ignored by the webhook since v1.0. */
  readonly useLabel: boolean;
  readonly usedBy: readonly string[];
}
