import { createHash } from 'node:crypto';
import { compareStrings } from '../model/location.js';
import type { Detection } from './context.js';

/** Version of the fingerprint recipe; SARIF carries it as the `partialFingerprints` key (`pod2wi/v1`). */
export const fingerprintVersion = 'pod2wi/v1';

/**
 * Fingerprints that survive line moves: sha256 of (recipe version, rule, file, anchor, occurrence) where the anchor is
 * the flagged line without comments and with spacing collapsed, plus the object the finding is about when the
 * detector names one; the occurrence index tells apart identical anchors in one file, counted in line order.
 * Editing the flagged line itself (another label value) gives a new fingerprint, as it should.
 */
export function fingerprintAll(detections: readonly Detection[], lineText: (file: string, line: number) => string): Map<Detection, string> {
  const ordered = [...detections].sort((a, b) => compareStrings(a.at.file, b.at.file) || a.at.line - b.at.line || a.at.column - b.at.column || compareStrings(a.ruleId, b.ruleId));
  const occurrences = new Map<string, number>();
  const result = new Map<Detection, string>();
  for (const detection of ordered) {
    const anchor = `${detection.subject ?? ''}|${lineText(detection.at.file, detection.at.line)}`;
    const key = [fingerprintVersion, detection.ruleId, detection.at.file, anchor].join('\u0000');
    const occurrence = occurrences.get(key) ?? 0;
    occurrences.set(key, occurrence + 1);
    result.set(detection, createHash('sha256').update(`${key}\u0000${occurrence}`).digest('hex').slice(0, 32));
  }
  return result;
}
