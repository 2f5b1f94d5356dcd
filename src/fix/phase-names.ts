/** The three phases of the migration guide: side by side, then off pod identity, then off the proxy. */
export const phases = ['parallel', 'cutover', 'finalize'] as const;
export type Phase = (typeof phases)[number];

export const nextPhase: Readonly<Record<Phase, Phase | null>> = { parallel: 'cutover', cutover: 'finalize', finalize: null };
