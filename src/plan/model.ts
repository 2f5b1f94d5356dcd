import type { Ecosystem } from '../model/application.js';
import type { Evidence, IdentityType, MigrationPath, MigrationReason } from '../model/report.js';

/** How sure pod2wi is that an application runs in a workload, and why. */
export type LinkConfidence = 'explicit' | 'high' | 'medium' | 'low';

export interface ApplicationLink {
  /** Application folder. */
  readonly path: string;
  readonly confidence: LinkConfidence;
  /** `config`, `image-build`, `image-name`, `chart-in-application`, `manifest-in-application`, `single-application`. */
  readonly method: 'config' | 'image-build' | 'image-name' | 'chart-in-application' | 'manifest-in-application' | 'single-application';
  readonly message: string;
  readonly evidence: Evidence | null;
}

/** The ServiceAccount a workload runs as under workload identity. */
export interface ServiceAccountPlan {
  readonly name: string;
  readonly namespace: string;
  /**
   * `reuse`: annotate the ServiceAccount in the repository; `create`: write a new one (a dedicated account, or one
   * named by the workload but absent from the repository); `chart-values`: set it through a HelmRelease's values.
   */
  readonly action: 'reuse' | 'create' | 'chart-values';
  readonly reason: 'own' | 'default' | 'shared-with-other-identities' | 'missing' | 'chart-managed';
  /** The workload must be pointed at this account (`serviceAccountName` changes). */
  readonly changesWorkload: boolean;
  readonly clientId: string;
  /** Only for a service principal in an explicit tenant. */
  readonly tenantId: string | null;
  /** The existing account, when reused. */
  readonly existing: Evidence | null;
}

export interface PlannedIdentity {
  readonly name: string;
  readonly namespace: string;
  readonly type: IdentityType;
  readonly clientId: string;
  readonly tenantId: string | null;
  readonly subscriptionId: string | null;
  readonly resourceGroup: string | null;
  readonly identityName: string | null;
  readonly evidence: Evidence;
}

/** One federated identity credential: identity × namespace × ServiceAccount. */
export interface FederatedCredentialPlan {
  readonly name: string;
  readonly identity: PlannedIdentity;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly subject: string;
  readonly audience: 'api://AzureADTokenExchange';
  readonly issuer: string;
  /** Workload ids this credential serves. */
  readonly workloads: readonly string[];
}

export interface SdkUpgrade {
  readonly ecosystem: Ecosystem;
  readonly package: string;
  readonly from: string | null;
  /** The documented workload-identity floor, written `>= x.y.z`. */
  readonly to: string;
  readonly application: string;
  readonly evidence: Evidence | null;
}

/** Everything pod2wi decided for one workload, with the evidence of each reason. */
export interface WorkloadPlan {
  readonly workload: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly path: MigrationPath;
  readonly blocked: boolean;
  readonly reasons: readonly MigrationReason[];
  readonly warnings: readonly MigrationReason[];
  readonly applications: readonly ApplicationLink[];
  readonly identity: PlannedIdentity | null;
  readonly serviceAccount: ServiceAccountPlan | null;
  /** Legacy path: inject the migration proxy, on this port when the default (8000) is taken. */
  readonly proxy: { readonly port: number | null } | null;
  readonly federatedCredential: string | null;
  readonly sdkUpgrades: readonly SdkUpgrade[];
  /**
   * The Secrets Store CSI SecretProviderClasses the workload mounts that still use pod identity, and what each
   * becomes; present only when there is one.
   */
  readonly secretProviderClasses?: readonly SecretProviderClassPlan[];
}

/**
 * A SecretProviderClass on pod identity mounted by a workload: on workload identity it takes `clientID` (the client ID
 * the workload's ServiceAccount carries; null when no usable client ID is known) and `usePodIdentity: "false"`.
 * `file`/`line` is where usePodIdentity is written.
 */
export interface SecretProviderClassPlan extends Evidence {
  readonly name: string;
  readonly namespace: string;
  readonly clientId: string | null;
  /** Other workloads mounting the same class: it switches only when all of them run on workload identity. */
  readonly sharedWith: readonly string[];
}

export interface MigrationPlan {
  readonly issuer: string;
  readonly workloads: readonly WorkloadPlan[];
  readonly federatedCredentials: readonly FederatedCredentialPlan[];
}
