import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parseAllDocuments, parseDocument } from 'yaml';
import { updateYaml } from './src/index.js';
import { tryFastEdit } from './src/yaml/fast-edit.js';
function walk(dir: string): string[] { return readdirSync(dir).flatMap((n) => { const p = join(dir, n); return statSync(p).isDirectory() ? walk(p) : p.endsWith('.yaml') || p.endsWith('.yml') ? [p] : []; }); }
const files = walk('/work/shared/corpus');
let total = 0, fast = 0, fails = 0, errors = new Map<string, number>();
for (const file of files) {
  const src = readFileSync(file, 'utf8');
  const docs = parseAllDocuments(src);
  if (!Array.isArray(docs)) continue;
  docs.forEach((doc, di) => {
    const multi = docs.length > 1;
    const leaves: Array<Array<string | number>> = [];
    const visit = (n: unknown, p: Array<string | number>) => {
      if (isMap(n)) for (const it of n.items) { if (isScalar(it.key)) visit(it.value, [...p, String(it.key.source ?? it.key.value)]); }
      else if (isSeq(n)) n.items.forEach((x, i) => visit(x, [...p, i]));
      else if (isScalar(n)) leaves.push(p);
    };
    visit(doc.contents, []);
    for (const path of leaves) {
      if (path.length === 0) continue;
      for (const value of ['v9.9.9', '1.20', 'a: b #c']) {
        total++;
        const opts = multi ? { document: di } : {};
        try {
          if (!multi && tryFastEdit(src, path, value)) fast++;
          const r = updateYaml(src, { path, value }, { ...opts, aliases: 'edit-anchor' });
          const a = src.split('\n'), b = r.text.split('\n');
          const changed = a.length === b.length ? a.filter((l, i) => l !== b[i]).length : -1;
          const before = JSON.stringify(parseAllDocuments(src).map((d: any) => d.toJS({ maxAliasCount: -1 })));
          const after = parseAllDocuments(r.text).map((d: any) => d.toJS({ maxAliasCount: -1 }));
          const got = parseAllDocuments(r.text)[di]!.getIn(path);
          const noop = updateYaml(r.text, { path, value }, { ...opts, aliases: 'edit-anchor' });
          const ok11 = parseAllDocuments(r.text, { version: '1.1' })[di]!.getIn(path) === value;
          if ((changed !== 1 && !(changed === 0 && !r.changed)) || got !== value || noop.changed || !ok11) {
            fails++; if (fails < 15) console.log('FAIL', file.split('/').pop(), JSON.stringify(path), value, changed, got, noop.changed, ok11);
          }
        } catch (e) { const k = (e as Error).name + ': ' + (e as Error).message.slice(0, 70); errors.set(k, (errors.get(k) ?? 0) + 1); if (errors.get(k) === 1) console.log('ERR', file.split('/').pop(), JSON.stringify(path), k); }
      }
    }
  });
}
console.log({ total, fast, fails, errors: [...errors.entries()] });
