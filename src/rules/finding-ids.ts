import { gateFindingIds } from '../check/finding-ids.js';
import { codeFindingIds } from '../code/finding-ids.js';
import { dependencyFindingIds } from '../deps/finding-ids.js';
import { fixFindingIds } from '../fix/finding-ids.js';
import { manifestFindingIds } from '../k8s/finding-ids.js';
import { planFindingIds } from '../plan/finding-ids.js';
import { walkFindingIds } from '../walk/finding-ids.js';

/** Every finding id the code can emit; the files in `rules/findings/` must describe exactly these (checked at load). */
export const findingIds = [...manifestFindingIds, ...dependencyFindingIds, ...codeFindingIds, ...planFindingIds, ...fixFindingIds, ...gateFindingIds, ...walkFindingIds] as const;

export type FindingId = (typeof findingIds)[number];
