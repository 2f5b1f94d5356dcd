import type { CredentialCategory, Ecosystem, IdentitySelection, SourceLanguage } from '../model/application.js';
import type { ApiRule, OptionRule } from './rules.js';

/** 1-based line and column (UTF-16 code units, as editors and the TypeScript compiler count them). */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * One piece of a string-valued expression: text written as a literal in the expression itself (`own`), text a
 * constant of the same file contributed, or a hole (`text` is {@link hole}) for a value only known at run time.
 */
export interface Segment {
  readonly text: string;
  readonly own: boolean;
}

/** What a value pod2wi cannot know at scan time reads as, inside a joined string. */
export const hole = '\u0000';

/**
 * A maximal string-valued expression (a literal, a concatenation, a template or f-string, a format string), with
 * constants of the same file already substituted. `message` marks strings passed to a log, print or error call.
 */
export interface StringExpression {
  readonly at: Position;
  readonly segments: readonly Segment[];
  readonly message: boolean;
}

/** The shape of the first argument of a credential call, for APIs whose plain first argument is a client ID. */
export type ArgumentShape = 'none' | 'string' | 'object' | 'unknown';

/** A use of a library API whose name resolved to the rule's module. */
export interface ApiSite {
  readonly at: Position;
  readonly rule: ApiRule;
  /** The module the name resolved to, as written in the file (`azure.identity.aio`). */
  readonly module: string;
  /**
   * Names in the arguments that may select an identity: object keys, keyword arguments, builder methods chained on
   * the call, factory calls, struct fields, `Key=` parts of string literals, and a bare identifier argument's name.
   */
  readonly selectors: readonly string[];
  readonly firstArgument: ArgumentShape;
  /** The arguments set a `port` (or pass the literal legacy extension port). */
  readonly port: 'legacy-literal' | 'option' | null;
}

/** A read of an environment variable, or its setting with a value (null when the value is not a literal). */
export interface EnvironmentAccess {
  readonly at: Position;
  readonly name: string;
  readonly kind: 'read' | 'set';
  readonly value: string | null;
}

/** An option such as ExcludeWorkloadIdentityCredential, with the value it is given. */
export interface OptionSetting {
  readonly at: Position;
  readonly rule: OptionRule;
  readonly value: 'true' | 'false' | 'other';
}

/** A use found by a line or command reader (shell, Dockerfile, Terraform, YAML) rather than by the shared rules. */
export interface DirectUse {
  readonly at: Position;
  readonly api: string;
  readonly category: CredentialCategory;
  readonly detail: string;
  readonly selection?: IdentitySelection;
  /** The package the use stands for: an application without it has a namesake (its own `AddAzureKeyVault`). */
  readonly requires?: { readonly ecosystem: Ecosystem; readonly package: string };
}

/**
 * What a language module extracts from one file. The shared classifier (classify.ts) turns facts into credential
 * uses, so every language gets the same rules for endpoints, environment variables and identity selection.
 */
export interface FileFacts {
  readonly language: SourceLanguage;
  readonly sites: readonly ApiSite[];
  readonly strings: readonly StringExpression[];
  readonly environment: readonly EnvironmentAccess[];
  readonly options: readonly OptionSetting[];
  /** Object keys, keyword-argument names and initializer names seen in the file (for the `Metadata` header). */
  readonly keys: ReadonlySet<string>;
  /** Numeric literals seen in the file (the legacy MSI extension port). */
  readonly numbers: ReadonlySet<number>;
  readonly direct: readonly DirectUse[];
}

/** A mutable collector the language modules fill while walking one tree. */
export class FactsBuilder {
  readonly sites: ApiSite[] = [];
  readonly strings: StringExpression[] = [];
  readonly environment: EnvironmentAccess[] = [];
  readonly options: OptionSetting[] = [];
  readonly keys = new Set<string>();
  readonly numbers = new Set<number>();
  readonly direct: DirectUse[] = [];
  readonly language: SourceLanguage;

  constructor(language: SourceLanguage) {
    this.language = language;
  }

  build(): FileFacts {
    return {
      language: this.language,
      sites: this.sites,
      strings: this.strings,
      environment: this.environment,
      options: this.options,
      keys: this.keys,
      numbers: this.numbers,
      direct: this.direct,
    };
  }
}

/** Joins segments into one string (holes stay as {@link hole}) and remembers which ranges were literal here. */
export function joinSegments(segments: readonly Segment[]): { text: string; own: Array<[number, number]> } {
  let text = '';
  const own: Array<[number, number]> = [];
  for (const segment of segments) {
    if (segment.own) own.push([text.length, text.length + segment.text.length]);
    text += segment.text;
  }
  return { text, own };
}

/** Whether [start, end) overlaps text that was written literally in the expression. */
export function overlapsOwn(own: ReadonlyArray<readonly [number, number]>, start: number, end: number): boolean {
  return own.some(([from, to]) => from < end && start < to);
}
