import { describe, expect, it } from 'vitest';
import { embeddedManifests, mayEmbedManifests } from '../../src/k8s/embedded.js';
import { readTree } from '../../src/k8s/yaml-tree.js';

const runbook = [
  '# Runbook',
  '',
  '1. Apply:',
  '',
  '   ```bash',
  '   cat <<EOF | kubectl apply -f -',
  '   apiVersion: v1',
  '   kind: ConfigMap',
  '   metadata:',
  '     name: first',
  '   ---',
  '   apiVersion: v1',
  '   kind: ConfigMap',
  '   metadata:',
  '     name: second',
  '   EOF',
  '   ```',
  '',
  '```yaml',
  'apiVersion: v1',
  'kind: Secret',
  'metadata:',
  '  name: third',
  '```',
  '',
  '```bash',
  'kubectl get pods',
  '```',
  '',
].join('\n');

describe('embedded manifests', () => {
  it('keeps here-document bodies and yaml blocks at their own offsets, one document each', () => {
    const masked = embeddedManifests('docs/runbook.md', runbook);
    expect(masked).not.toBeNull();
    expect(masked?.length).toBe(runbook.length);
    const tree = readTree('docs/runbook.md', masked ?? '', { source: 'manifest' });
    expect(tree.problems).toEqual([]);
    const names = tree.documents.map((document) => document.node?.kind === 'map' ? document.node.pairs.find((pair) => pair.key === 'metadata') : null);
    expect(names).toHaveLength(3);
    const second = tree.documents[1]?.node;
    const metadata = second?.kind === 'map' ? second.pairs.find((pair) => pair.key === 'metadata')?.value : null;
    const name = metadata?.kind === 'map' ? metadata.pairs.find((pair) => pair.key === 'name')?.value : null;
    expect(name?.kind === 'scalar' ? name.value : null).toBe('second');
    expect(name?.origin.line).toBe(15);
    const span = name?.origin.span;
    expect(span ? runbook.slice(span[0], span[1]) : null).toBe('second');
  });

  it('reads shell here-documents, and nothing from a file without a manifest', () => {
    const script = "#!/bin/sh\nkubectl apply -f - <<'YAML'\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: reports\nYAML\necho done\n";
    expect(mayEmbedManifests('scripts/setup.sh', script)).toBe(true);
    const masked = embeddedManifests('scripts/setup.sh', script) ?? '';
    expect(masked.split('\n')[7]).toBe(' '.repeat('echo done'.length));
    expect(readTree('scripts/setup.sh', masked, { source: 'manifest' }).documents).toHaveLength(1);
    expect(embeddedManifests('scripts/other.sh', 'cat <<EOF\nhello kind: x\nEOF\n')).toBeNull();
    expect(mayEmbedManifests('values.yaml', 'apiVersion: v1\nkind: x\n<<')).toBe(false);
  });
});
