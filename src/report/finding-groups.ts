import { createColors } from 'picocolors';
import type { Finding, Severity } from '../model/finding.js';
import { compareStrings } from '../model/location.js';
import { wrap, wrapWithLocation } from './wrap.js';

/** Findings that say the same thing: one message, every place it was seen (in report order). */
export interface FindingItem<F extends Finding> {
  /** The message of the first finding, whole. */
  readonly message: string;
  readonly findings: readonly F[];
  /** True when the findings' own messages differ (only in what names their file or folder). */
  readonly varied: boolean;
}

/** The findings of one rule at one severity. */
export interface FindingGroup<F extends Finding> {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly items: readonly FindingItem<F>[];
  readonly total: number;
}

const rank: Readonly<Record<Severity, number>> = { error: 0, warning: 1, note: 2 };

/**
 * The message with what is specific to the finding's own file replaced: the path with its line, the path and its
 * folder. Two findings of one rule whose messages differ only there say the same thing in several places. (A file
 * name alone is not replaced: `azureidentities.yaml` and the CRD `azureidentities` it holds are different facts.)
 */
export function normaliseMessage(finding: Finding): string {
  const file = finding.file;
  const slash = file.lastIndexOf('/');
  const folder = slash > 0 ? file.slice(0, slash) : '';
  let text = finding.message;
  const replace = (value: string, by: string) => {
    if (value.length >= 3) text = text.split(value).join(by);
  };
  replace(`${file}:${finding.line}`, '\u0000F:L');
  replace(file, '\u0000F');
  // A one-segment folder (`deploy`) is too likely a plain word of the message.
  if (folder.includes('/')) replace(folder, '\u0000D');
  return text;
}

/**
 * Findings grouped for people: by severity (errors first), then rule id; within a rule, findings whose messages are
 * equal once their file-specific parts are set aside ({@link normaliseMessage}) are one item, in report order.
 */
export function groupFindings<F extends Finding>(findings: readonly F[]): FindingGroup<F>[] {
  const groups = new Map<string, { ruleId: string; severity: Severity; items: Map<string, F[]> }>();
  for (const finding of findings) {
    const key = `${finding.severity}\u0000${finding.ruleId}`;
    let group = groups.get(key);
    if (!group) {
      group = { ruleId: finding.ruleId, severity: finding.severity, items: new Map() };
      groups.set(key, group);
    }
    const itemKey = normaliseMessage(finding);
    const item = group.items.get(itemKey);
    if (item) item.push(finding);
    else group.items.set(itemKey, [finding]);
  }
  return [...groups.values()]
    .sort((a, b) => rank[a.severity] - rank[b.severity] || compareStrings(a.ruleId, b.ruleId))
    .map((group) => {
      const items = [...group.items.values()].map((members): FindingItem<F> => {
        const message = members[0]?.message ?? '';
        return { message, findings: members, varied: members.some((member) => member.message !== message) };
      });
      return { ruleId: group.ruleId, severity: group.severity, items, total: items.reduce((sum, item) => sum + item.findings.length, 0) };
    });
}

/** How grouped findings are laid out. */
export interface FindingLayout<F extends Finding> {
  readonly width: number;
  readonly color: boolean;
  /** Every location and every message, instead of the first few. */
  readonly verbose: boolean;
  /** The location as shown: `file:line`, or `file:line:column` for the gate. */
  readonly locate: (finding: F) => string;
}

/** Locations named on an item's line before `and N more`. */
export const locationsShown = 3;
/** Distinct messages shown per rule before `N more`. */
export const itemsShown = 5;

/**
 * Grouped findings as text: one header per rule (severity, id, count), then each distinct message once, whole,
 * with its location, or with a count and the first {@link locationsShown} locations when it was seen in several
 * places. Without `verbose` a rule shows its first {@link itemsShown} messages and counts the rest.
 */
export function renderFindingGroups<F extends Finding>(groups: readonly FindingGroup<F>[], layout: FindingLayout<F>): string[] {
  const c = createColors(layout.color);
  const paint = { error: c.red, warning: c.yellow, note: c.cyan } as const;
  const { width } = layout;
  const lines: string[] = [];
  const message = (text: string, location: string | null) => lines.push(...wrapWithLocation(text, location === null ? null : c.dim(location), width, '    ', '    '));
  for (const group of groups) {
    const count = group.total > 1 ? ` (${group.total})` : '';
    lines.push(...wrap(`${paint[group.severity](group.severity.padEnd(7))} ${group.ruleId}${count}`, width, '  ', '          '));
    const shown = layout.verbose ? group.items : group.items.slice(0, itemsShown);
    for (const item of shown) {
      if (item.findings.length === 1 || (layout.verbose && item.varied)) {
        for (const finding of item.findings) message(finding.message, layout.locate(finding));
        continue;
      }
      message(item.message, null);
      const places = item.findings.map(layout.locate);
      const listed = layout.verbose ? places : places.slice(0, locationsShown);
      const more = places.length - listed.length;
      const list = `${places.length} places: ${listed.join(', ')}${more > 0 ? ` and ${more} more (--verbose lists them)` : ''}`;
      lines.push(...wrap(c.dim(list), width, '      ', '        '));
    }
    const hidden = group.items.slice(shown.length);
    if (hidden.length > 0) {
      const findings = hidden.reduce((sum, item) => sum + item.findings.length, 0);
      lines.push(...wrap(c.dim(`… ${findings} more ${group.ruleId} finding${findings === 1 ? '' : 's'} (--verbose lists them)`), width, '    ', '      '));
    }
  }
  return lines;
}

/** Findings at or above `minimum`. */
export function atLeast<F extends Finding>(findings: readonly F[], minimum: Severity): F[] {
  return findings.filter((finding) => rank[finding.severity] <= rank[minimum]);
}
