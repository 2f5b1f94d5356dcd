import type { Command } from 'commander';
import { parseOutputs } from './formats.js';
import { emit, useColor, type Io } from './output.js';
import { checkOutputs } from './paths.js';

export interface RulesFlags {
  readonly format: string[];
  readonly output?: string;
  readonly color?: boolean;
  readonly controllers?: boolean;
}

export const rulesFormats = ['text', 'json'] as const;

/** `pod2wi rules`: lists the knowledge behind the dependency verdicts (validated rule data) and the finding catalogue. */
export function registerRules(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('rules')
    .summary('list the SDK floors, legacy libraries, BOM table and findings pod2wi decides with')
    .description(
      [
        'Prints the rule data behind every dependency verdict, each row with its source: per ecosystem the Azure',
        'Identity package with its workload-identity floor and the version from which ManagedIdentityCredential does',
        'the token exchange, the legacy (IMDS-only), ADAL and MSAL libraries, the azure-sdk-bom table, the reasons a',
        'version can stay unknown, and every finding with its severity.',
      ].join('\n'),
    )
    .option('-f, --format <format...>', 'text (default) or json; FORMAT=FILE writes that format to FILE; repeatable', [])
    .option('-o, --output <file>', 'write the output (of the one format without =FILE) to FILE')
    .option('--no-color', 'no colour, even on a terminal (NO_COLOR is honoured too)')
    .option('--controllers', 'list the third-party controllers that use pod identity (rules/controllers.yaml) instead')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ pod2wi rules',
        '  $ pod2wi rules --format json > pod2wi-rules.json',
        '  $ pod2wi rules --format text --format json=rules.json',
        '  $ pod2wi rules --controllers',
        '',
        'Exit codes: 0 listed, 2 usage error or invalid rule data.',
      ].join('\n'),
    )
    .action(async (flags: RulesFlags) => {
      const outputs = parseOutputs(flags.format, flags.output, rulesFormats);
      checkOutputs(outputs, flags.output, io.cwd);
      if (flags.controllers) {
        const [{ loadControllerTable }, { buildControllersListing, renderControllersJson, renderControllersText }] = await Promise.all([import('../rules/controllers.js'), import('../report/controllers.js')]);
        const controllers = buildControllersListing(loadControllerTable());
        for (const spec of outputs) {
          const content = spec.format === 'json' ? renderControllersJson(controllers) : renderControllersText(controllers, { color: spec.file === null && useColor(io, flags.color) });
          emit(io, spec, content);
        }
        setExit(0);
        return;
      }
      const [{ loadDependencyKnowledge }, { loadFindingCatalogue }, { buildRulesListing, renderRulesJson, renderRulesText }] = await Promise.all([import('../deps/knowledge.js'), import('../rules/catalogue.js'), import('../report/rules.js')]);
      const listing = buildRulesListing(loadDependencyKnowledge(), loadFindingCatalogue());
      for (const spec of outputs) {
        const content = spec.format === 'json' ? renderRulesJson(listing) : renderRulesText(listing, { color: spec.file === null && useColor(io, flags.color) });
        emit(io, spec, content);
      }
      setExit(0);
    });
}
