// Validates every rule file of rules/ against its schema and writes the data to dist/rules.json, which pod2wi reads
// at start-up instead of parsing the YAML and loading the schema library (`npm run build` runs this after tsc).
// A wrong rule file stops the build with the file, row and field.
import { renameSync, writeFileSync } from 'node:fs';
import { compiledRulesPath } from '../dist/rules/load.js';
import { compileRules } from '../dist/rules/schemas.js';

try {
  const compiled = compileRules();
  const partial = `${compiledRulesPath}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(compiled)}\n`);
  renameSync(partial, compiledRulesPath);
} catch (error) {
  console.error(`pod2wi build: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
