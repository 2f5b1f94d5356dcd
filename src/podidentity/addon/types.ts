import type { RenderProblem } from '../../k8s/files.js';
import type { Origin, ScalarRef } from '../../k8s/rendered.js';

/**
 * Where an add-on declaration was read:
 * - `arm`: an ARM template (JSON), nested deployments included;
 * - `bicep`: a Bicep file, modules included;
 * - `az-cli`: an `az` command in a shell or PowerShell script or a Makefile recipe;
 * - `pipeline`: an `az` command in a GitHub Actions or Azure Pipelines step;
 * - `manifest`: any other YAML or JSON document that carries a `podIdentityProfile` (an Azure Service Operator
 *   ManagedCluster, the body file of an `az rest` call);
 * - `terraform`: an `azapi` resource body, fed by the Terraform reader through {@link readManagedClusterBody};
 * - `cluster-export`: a file given with `--cluster-state` (`az aks show`, `kubectl get ... -o yaml`).
 */
export type AddonSource = 'arm' | 'bicep' | 'az-cli' | 'pipeline' | 'manifest' | 'terraform' | 'cluster-export';

/** What a declaration does to the add-on's list: declares (or adds) an entry, or removes one. */
export type AddonAction = 'add' | 'delete';

/**
 * One entry of `podIdentityProfile.userAssignedIdentities`, or one `az aks pod-identity add|delete` command. The AKS
 * resource provider turns an added entry into an AzureIdentity named `name` and an AzureIdentityBinding in
 * `namespace` (see {@link addonAsObjects}).
 */
export interface AddonIdentity {
  readonly name: ScalarRef;
  readonly namespace: ScalarRef;
  /**
   * The binding's selector (the pod label `aadpodidbinding: <selector>`); null when not given, and then the add-on
   * uses the identity's name ("By default, the selector matches the name of the pod-managed identity",
   * learn.microsoft.com/azure/aks/use-azure-ad-pod-identity). {@link effectiveSelector} applies that default.
   */
  readonly bindingSelector: ScalarRef | null;
  /**
   * The identity's client ID when the declaration holds it; null otherwise (`az aks pod-identity add` takes only the
   * resource ID): then `resourceId` is the way to it (`az identity show --ids <resource-id> --query clientId -o tsv`).
   */
  readonly clientId: ScalarRef | null;
  readonly resourceId: ScalarRef | null;
  readonly objectId: ScalarRef | null;
  /** The managed cluster's name (`--cluster-name`, the ARM/Bicep resource's `name`), when the declaration says. */
  readonly cluster: ScalarRef | null;
  /** The cluster's resource group (`--resource-group`/`-g`); null for templates, which deploy into a group given at deployment. */
  readonly resourceGroup: ScalarRef | null;
  readonly action: AddonAction;
  readonly source: AddonSource;
  /** The entry (its map in a template) or the command line. */
  readonly at: Origin;
}

/**
 * One entry of `podIdentityProfile.userAssignedIdentityExceptions`, or one `az aks pod-identity exception add|update|
 * delete` command (update is read as add). Pods in `namespace` matching every label of `podLabels` bypass NMI.
 */
export interface AddonException {
  readonly name: ScalarRef;
  readonly namespace: ScalarRef;
  /** The labels as written; empty for a delete. */
  readonly podLabels: Readonly<Record<string, ScalarRef>>;
  readonly cluster: ScalarRef | null;
  readonly resourceGroup: ScalarRef | null;
  readonly action: AddonAction;
  readonly source: AddonSource;
  readonly at: Origin;
}

/**
 * A cluster setting that matters to the migration:
 * - `pod-identity`: `podIdentityProfile.enabled`, `az aks update|create --enable-pod-identity|--disable-pod-identity`;
 * - `pod-identity-kubenet`: `podIdentityProfile.allowNetworkPluginKubenet`, `--enable-pod-identity-with-kubenet`;
 * - `oidc-issuer`: `oidcIssuerProfile.enabled`, `--enable-oidc-issuer`;
 * - `workload-identity`: `securityProfile.workloadIdentity.enabled`, `--enable-workload-identity|--disable-workload-identity`.
 */
export interface ClusterSetting {
  readonly setting: 'pod-identity' | 'pod-identity-kubenet' | 'oidc-issuer' | 'workload-identity';
  /** null when the value is not known from the repository (a parameter without default). */
  readonly enabled: boolean | null;
  /** The expression behind an unknown value (`[parameters('enablePodIdentity')]`), else null. */
  readonly expression: string | null;
  readonly cluster: ScalarRef | null;
  readonly resourceGroup: ScalarRef | null;
  readonly source: AddonSource;
  readonly at: Origin;
}

/**
 * Problem codes of the add-on readers (a closed set; each becomes a finding with its file and line):
 * - `addon-parse-error`: a template, Bicep file or pipeline does not parse; the file (or the declaration, for Bicep)
 *   is skipped;
 * - `addon-script-parse-error`: a script has a syntax error; the commands tree-sitter could still read are kept;
 * - `addon-nesting-limit`: nested deployments, Bicep modules or expressions deeper than the readers follow;
 * - `addon-list-unknown`: `userAssignedIdentities`, `userAssignedIdentityExceptions` or an entry of them is computed
 *   (a parameter without default, a loop), so the entries are not known;
 * - `addon-entry-incomplete`: an entry or a command without a name or a namespace;
 * - `addon-grammar-unavailable`: the shell or PowerShell grammar could not be loaded; scripts are not read;
 * - `addon-reader-failed`: a reader failed on a file in a way it did not expect; the file is skipped.
 */
export type AddonProblemCode =
  | 'addon-parse-error'
  | 'addon-script-parse-error'
  | 'addon-nesting-limit'
  | 'addon-list-unknown'
  | 'addon-entry-incomplete'
  | 'addon-grammar-unavailable'
  | 'addon-reader-failed';

/** What the add-on readers found in a repository, sorted by file, line and column. */
export interface AddonRead {
  readonly identities: readonly AddonIdentity[];
  readonly exceptions: readonly AddonException[];
  readonly settings: readonly ClusterSetting[];
  readonly problems: readonly RenderProblem[];
}

/** The selector the add-on's binding uses: the one given, else the identity's name. */
export function effectiveSelector(identity: AddonIdentity): ScalarRef {
  if (identity.bindingSelector) return identity.bindingSelector;
  return { ...identity.name, origin: { ...identity.name.origin, span: null, via: 'no bindingSelector: the add-on selects pods labelled with the identity name' } };
}
