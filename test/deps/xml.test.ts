import { describe, expect, it } from 'vitest';
import { readXml, type XmlElement } from '../../src/deps/xml.js';
import { repoOf } from '../helpers/repo.js';
import { loadDependencyKnowledge } from '../../src/deps/knowledge.js';

function context(files: Record<string, string>) {
  const { repo, sink } = repoOf(files);
  return { repo, sink, knowledge: loadDependencyKnowledge(), cache: new Map<string, unknown>(), allDependencies: false };
}

function flatten(element: XmlElement): [string, number, string][] {
  return [[element.name, element.line, element.text], ...element.children.flatMap(flatten)];
}

describe('readXml', () => {
  it('gives each element the line of its start tag, skipping comments, CDATA and the declaration', () => {
    const text = [
      '<?xml version="1.0" encoding="utf-8"?>',
      '<Project Sdk="Microsoft.NET.Sdk">',
      '  <!-- <PackageReference Include="Commented.Out" Version="0.0.1" /> -->',
      '  <ItemGroup><PackageReference Include="A" Version="1.0.0" />',
      '    <PackageReference Include="B">',
      '      <Version>2.0.0</Version>',
      '    </PackageReference>',
      '    <Description><![CDATA[<PackageReference Include="C" />]]></Description>',
      '  </ItemGroup>',
      '</Project>',
    ].join('\n');
    const ctx = context({ 'a.csproj': text });
    const file = ctx.repo.read('a.csproj');
    if (!file) throw new Error('not read');
    const root = readXml(ctx, file, 'a.csproj');
    if (!root) throw new Error('no root');
    expect(flatten(root)).toEqual([
      ['Project', 2, ''],
      ['ItemGroup', 4, ''],
      ['PackageReference', 4, ''],
      ['PackageReference', 5, ''],
      ['Version', 6, '2.0.0'],
      ['Description', 8, '<PackageReference Include="C" />'],
    ]);
    expect(root.children[0]?.children[0]?.attributes).toEqual({ Include: 'A', Version: '1.0.0' });
  });

  it('reports a malformed file with its line and returns null', () => {
    const ctx = context({ 'b.csproj': '<Project>\n  <ItemGroup>\n</Project>\n' });
    const file = ctx.repo.read('b.csproj');
    if (!file) throw new Error('not read');
    expect(readXml(ctx, file, 'b.csproj')).toBeNull();
    expect(ctx.sink.all.map((finding) => [finding.ruleId, finding.file, finding.line])).toEqual([['dependency-file-parse-error', 'b.csproj', 3]]);
  });
});
