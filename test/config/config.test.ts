import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/model/errors.js';
import { writeTree } from '../helpers/repo.js';

describe('loadConfig', () => {
  it('returns an empty configuration when there is no file', () => {
    expect(loadConfig(writeTree({ 'a.yaml': 'x: 1\n' })).config).toEqual({});
  });

  it('reads and validates .pod2wi.yaml', () => {
    const root = writeTree({
      '.pod2wi.yaml': [
        'applications:',
        '  - path: apps/orders',
        '    workloads: [Deployment/shop/orders-api]',
        'policy:',
        '  betweenVersions: legacy',
        'ignore:',
        '  - rule: aadpodidbinding-label',
        '    path: legacy/',
        '    until: 2027-03-31',
        '    reason: decommissioned in Q1',
        '',
      ].join('\n'),
    });
    const loaded = loadConfig(root);
    expect(loaded.file).toBe('.pod2wi.yaml');
    expect(loaded.config.policy?.betweenVersions).toBe('legacy');
    expect(loaded.config.applications?.[0]?.workloads).toEqual(['Deployment/shop/orders-api']);
    expect(loaded.lineOf(['ignore', 0])).toBe(7);
  });

  it.each([
    ['policy:\n  betweenVersions: maybe\n', /\.pod2wi\.yaml:2: policy\.betweenVersions/],
    ['ignore:\n  - rule: x\n', /\.pod2wi\.yaml:2: ignore\.0\.reason/],
    ['applications:\n  - path: apps/a\n', /give workloads or images/],
    ['applications:\n  - path: apps/a\n    workloads: [orders]\n', /Kind\/namespace\/name/],
    ['unknown: 1\n', /unrecognized key|Unrecognized key/i],
    ['a: [\n', /\.pod2wi\.yaml:\d+:/],
  ])('names the file, line and field of a mistake: %j', (text, message) => {
    const root = writeTree({ '.pod2wi.yaml': text });
    expect(() => loadConfig(root)).toThrow(ConfigError);
    expect(() => loadConfig(root)).toThrow(message);
  });
});
