import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/model/errors.js';
import { compiledRuleData, compiledRulesPath, readCompiledRules, rulesDirectory } from '../../src/rules/load.js';
import { compileRules, ruleFileNames, validateRuleFile } from '../../src/rules/schemas.js';
import { tempDir } from '../helpers/repo.js';

/** A copy of rules/ to break. */
function rulesCopy(): string {
  const dir = `${tempDir()}/`;
  cpSync(rulesDirectory, dir, { recursive: true });
  return dir;
}

describe('rule files validated by the build (dist/rules.json)', () => {
  it('holds every rule file of rules/, validated, as the build last wrote it', () => {
    const compiled = readCompiledRules(compiledRulesPath);
    expect(Object.keys(compiled).sort()).toEqual(ruleFileNames());
    expect(ruleFileNames()).toContain('findings/gate.yaml');
    expect(compiled).toEqual(compileRules());
  });

  it('gives the data of a rule file only while its text is the one validated', () => {
    const dir = rulesCopy();
    const compiled = compileRules(dir);
    expect(compiledRuleData(compiled, dir, 'controllers.yaml')).toEqual(compiled['controllers.yaml']?.data);
    writeFileSync(`${dir}controllers.yaml`, `${readFileSync(`${dir}controllers.yaml`, 'utf8')}\n# edited\n`);
    expect(() => compiledRuleData(compiled, dir, 'controllers.yaml')).toThrow(new ConfigError('rules/controllers.yaml: changed since pod2wi was built: run `npm run build`, which validates it'));
    writeFileSync(`${dir}extra.yaml`, '[]\n');
    expect(() => compiledRuleData(compiled, dir, 'extra.yaml')).toThrow('rules/extra.yaml: not validated by the build');
    expect(() => compiledRuleData(compiled, dir, 'gone.yaml')).toThrow(ConfigError);
  });

  it('stops the build at a wrong rule file, naming the file, the row and the field', () => {
    const dir = rulesCopy();
    const text = readFileSync(`${dir}sdk-floors.yaml`, 'utf8');
    writeFileSync(`${dir}sdk-floors.yaml`, text.replace(/ecosystem: npm/, 'ecosystem: cargo'));
    expect(() => compileRules(dir)).toThrow(/^rules\/sdk-floors\.yaml: \d+\.ecosystem: /);
    expect(() => validateRuleFile('findings/walk.yaml', '- id: Not_Kebab\n  severity: error\n  summary: s\n  help: h\n  source: x\n')).toThrow('rules/findings/walk.yaml: 0.id: ids are kebab-case');
    expect(() => validateRuleFile('controllers.yaml', 'a: [\n')).toThrow(/^rules\/controllers\.yaml: /);
    expect(() => validateRuleFile('unknown.yaml', '[]\n')).toThrow('rules/unknown.yaml: no schema describes this file');
  });
});
