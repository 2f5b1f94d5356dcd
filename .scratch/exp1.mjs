import { parseAllDocuments, Parser, isMap } from 'yaml';
const src = "# head\napiVersion: v1\nkind: A\n---\n# c2\napiVersion: v1 # t\nkind: B\n...\n---\nkind: C\nmetadata: {a: 1, \"b\": 'x'}\n---\n";
for (const d of parseAllDocuments(src)) {
  console.log(JSON.stringify(d.range), d.directives.docStart, JSON.stringify(src.slice(d.range[0], d.range[2])), d.contents && JSON.stringify(d.contents.range), d.commentBefore, isMap(d.contents)&& d.contents.flow);
  if (isMap(d.contents)) for (const p of d.contents.items) console.log('  ', p.key.range, p.value?.range, p.value?.flow, p.value?.type);
}
for (const t of new Parser().parse(src)) console.log(t.type, t.offset, t.start?.map(s=>s.type+':'+s.offset), t.end?.map(s=>s.type+':'+s.offset));
