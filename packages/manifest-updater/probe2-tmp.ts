import { readFileSync } from 'node:fs';

const src = readFileSync('/work/shared/corpus/values/argoproj__argo-helm__argo-cd.yaml', 'utf8');
const t = (name: string, f: () => void, n = 500) => {
  for (let i = 0; i < 50; i++) f();
  const s = performance.now();
  for (let i = 0; i < n; i++) f();
  console.log(name, ((performance.now() - s) / n).toFixed(4));
};
const re = /\n {0,0}(?=[^ \r\n])/g;
const re2 = /\n(?=[^ \r\n])/g;
t('regex0', () => {
  re.lastIndex = 0;
  let c = 0;
  while (re.exec(src)) c++;
});
t('regex2', () => {
  re2.lastIndex = 0;
  let c = 0;
  while (re2.exec(src)) c++;
});
t('indexOf', () => {
  let c = 0;
  for (let p = src.indexOf('\n'); p !== -1; p = src.indexOf('\n', p + 1)) c++;
});
console.log(/[^\x00-\xff]/.test(src));
