/** Finding ids of the gate (`pod2wi check`); `rules/findings/gate.yaml` describes them. */
export const gateFindingIds = [
  'aadpodidbinding-label',
  'pod-identity-object',
  'pod-identity-install',
  'pod-identity-addon',
  'use-label-without-client-id',
  'client-id-without-use-label',
  'use-label-on-service-account',
  'proxy-sidecar-on-windows',
  'proxy-sidecar-on-host-network',
  'proxy-sidecar-false',
  'proxy-sidecar-port-invalid',
  'token-expiration-out-of-range',
  'hard-coded-token-path',
  'secret-provider-pod-identity',
  'keda-pod-identity',
  'invalid-suppression',
  'expired-suppression',
  'unused-suppression',
] as const;

export type GateFindingId = (typeof gateFindingIds)[number];
