/** Admission engines `pod2wi policy` writes for. */
export const policyEngines = ['kyverno', 'gatekeeper'] as const;
export type PolicyEngine = (typeof policyEngines)[number];

/** `enforce` denies; `audit` only reports (Kyverno Audit, Gatekeeper dryrun), for the time before cut-over. */
export const policyModes = ['enforce', 'audit'] as const;
export type PolicyMode = (typeof policyModes)[number];
