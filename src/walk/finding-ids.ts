/** Finding ids of the walk (what could not be listed or read at all); `rules/findings/walk.yaml` describes them. */
export const walkFindingIds = ['file-name-not-utf8'] as const;

export type WalkFindingId = (typeof walkFindingIds)[number];
