import { parseDocument } from 'yaml';

/** Indexes of lines that differ between two texts with the same number of lines (or -1 when counts differ). */
export function changedLineNumbers(before: string, after: string): number[] | -1 {
  const left = before.split('\n');
  const right = after.split('\n');
  if (left.length !== right.length) return -1;
  const changed: number[] = [];
  left.forEach((line, index) => {
    if (line !== right[index]) changed.push(index + 1);
  });
  return changed;
}

/** Whether `after` is `before` with lines inserted and none removed or changed. */
export function onlyAddsLines(before: string, after: string): boolean {
  const left = before.split('\n');
  const right = after.split('\n');
  let index = 0;
  for (const line of right) if (index < left.length && line === left[index]) index += 1;
  return index === left.length && right.length > left.length;
}

/** Reads a path from a text under a YAML version. */
export function readAt(text: string, path: Array<string | number>, version: '1.1' | '1.2'): unknown {
  const document = parseDocument(text, { version });
  if (document.errors.length > 0) throw document.errors[0];
  return document.getIn(path);
}
