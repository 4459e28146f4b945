import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { detectIndentStyle, type IndentStyle } from './indent-style.js';
import type { MissingNode } from './resolve-path.js';
import type { TextSplice } from './scalar-edit.js';
import { canWritePlain, renderFlowScalar, toDoubleQuoted, type YamlScalarValue } from './scalar-style.js';
import { PathNotFoundError, PathTypeError } from './yaml-errors.js';
import type { YamlPathSegment } from './yaml-path.js';
import { detectLineBreak } from './yaml-source.js';

/**
 * Plans the insertion of the missing part of a path (`createMissing`). New lines go after the last child of the
 * deepest existing node, with the file's own indentation and sequence style, so a line diff only adds lines.
 * Inside flow collections (`{}` / `[]`) the new entry is written in flow style instead.
 *
 * @throws {PathNotFoundError} when a sequence index past the end (other than the next one) is asked for.
 * @throws {PathTypeError} when the container cannot take a new entry (an explicit `null`, a pair in a flow map…).
 */
export function planInsertion(
  text: string,
  document: Document.Parsed | undefined,
  missing: MissingNode,
  segments: readonly YamlPathSegment[],
  value: YamlScalarValue,
  pathText: string,
): TextSplice {
  const rest = segments.slice(missing.missingAt);
  const container = missing.container;
  const eol = detectLineBreak(text);
  if (isMap(container) || isSeq(container)) {
    if (isSeq(container)) checkAppendIndex(rest[0]!, container, pathText);
    if (container.flow) return planFlowInsertion(container, rest, value, pathText);
    const style = detectIndentStyle(text);
    const column = isMap(container) ? keyColumn(text, container) : dashColumn(text, container);
    const lines = isMap(container)
      ? renderMapEntry(rest, value, column, style, pathText)
      : renderSequenceItem(rest, value, column, style, pathText);
    return insertLinesAfter(text, nodeEnd(container), lines, eol);
  }
  if (isScalar(container) && missing.pair) {
    if (missing.inFlow) {
      throw new PathTypeError(`Cannot create ${pathText} under an empty value inside a flow collection`, {
        path: pathText,
        found: 'scalar',
      });
    }
    const style = detectIndentStyle(text);
    const keyNode = missing.pair.key as Node | null;
    const parentColumn = columnOf(text, keyNode?.range?.[0] ?? 0);
    const first = rest[0]!;
    if (typeof first !== 'string') checkNewSequenceIndex(first, pathText);
    const lines =
      typeof first !== 'string'
        ? renderSequenceItem(rest, value, parentColumn + style.sequenceOffset, style, pathText)
        : renderMapEntry(rest, value, parentColumn + style.indentUnit, style, pathText);
    const splice = insertLinesAfter(text, container.range?.[0] ?? 0, lines, eol);
    return removeNullPlaceholder(text, container, splice);
  }
  // An empty document (empty file, only comments, or `---` alone): the new entry becomes the root map.
  const style = detectIndentStyle(text);
  const lines =
    typeof rest[0] === 'string'
      ? renderMapEntry(rest, value, 0, style, pathText)
      : renderRootSequence(rest, value, style, pathText);
  const end = document?.range?.[2] ?? text.length;
  const at = Math.min(end, text.length);
  if (text.length === 0) return { start: 0, end: 0, replacement: lines.join(eol) + eol };
  return insertLinesAfter(text, Math.max(at - 1, 0), lines, eol);
}

function renderRootSequence(
  rest: readonly YamlPathSegment[],
  value: YamlScalarValue,
  style: IndentStyle,
  pathText: string,
): string[] {
  checkNewSequenceIndex(rest[0]!, pathText);
  return renderSequenceItem(rest, value, 0, style, pathText);
}

function checkAppendIndex(segment: YamlPathSegment, sequence: YAMLSeq, pathText: string): void {
  if (typeof segment === 'number' && segment !== sequence.items.length) {
    throw new PathNotFoundError(
      `The path ${pathText} asks for item ${segment} of a ${sequence.items.length}-item sequence; only the next ` +
        `index (${sequence.items.length}) can be created`,
      { path: pathText },
    );
  }
  if (typeof segment === 'string') {
    throw new PathTypeError(`The path ${pathText} uses key "${segment}" on a sequence`, {
      path: pathText,
      found: 'sequence',
    });
  }
}

function checkNewSequenceIndex(segment: YamlPathSegment, pathText: string): void {
  if (typeof segment === 'number' && segment !== 0) {
    throw new PathNotFoundError(
      `The path ${pathText} asks for item ${segment} of a sequence that does not exist`,
      {
        path: pathText,
      },
    );
  }
}

function renderKey(key: string | number): string {
  const text = String(key);
  return canWritePlain(text, false) ? text : toDoubleQuoted(text);
}

function renderMapEntry(
  rest: readonly YamlPathSegment[],
  value: YamlScalarValue,
  column: number,
  style: IndentStyle,
  pathText: string,
): string[] {
  const [first, ...tail] = rest;
  if (first === undefined || typeof first === 'object') {
    throw new PathTypeError(`The path ${pathText} uses a selector where a map key is needed`, {
      path: pathText,
      found: 'map',
    });
  }
  const pad = ' '.repeat(column);
  if (tail.length === 0) return [`${pad}${renderKey(first)}: ${renderFlowScalar(value, 'PLAIN', false)}`];
  const next = tail[0]!;
  if (typeof next === 'string') {
    return [
      `${pad}${renderKey(first)}:`,
      ...renderMapEntry(tail, value, column + style.indentUnit, style, pathText),
    ];
  }
  checkNewSequenceIndex(next, pathText);
  return [
    `${pad}${renderKey(first)}:`,
    ...renderSequenceItem(tail, value, column + style.sequenceOffset, style, pathText),
  ];
}

function renderSequenceItem(
  rest: readonly YamlPathSegment[],
  value: YamlScalarValue,
  dashColumn: number,
  style: IndentStyle,
  pathText: string,
): string[] {
  const [first, ...tail] = rest;
  const pad = ' '.repeat(dashColumn);
  const inner = dashColumn + 2;
  let lines: string[];
  if (typeof first === 'object') {
    const selectorLine = `${' '.repeat(inner)}${renderKey(first.key)}: ${renderFlowScalar(first.value, 'PLAIN', false)}`;
    if (tail.length === 0) {
      throw new PathTypeError(`The path ${pathText} ends in a selector; name the key to set after it`, {
        path: pathText,
        found: 'sequence',
      });
    }
    lines = [selectorLine, ...renderMapEntry(tail, value, inner, style, pathText)];
  } else if (tail.length === 0) {
    return [`${pad}- ${renderFlowScalar(value, 'PLAIN', false)}`];
  } else if (typeof tail[0] === 'string') {
    lines = renderMapEntry(tail, value, inner, style, pathText);
  } else {
    checkNewSequenceIndex(tail[0]!, pathText);
    lines = renderSequenceItem(tail, value, inner, style, pathText);
  }
  const head = lines[0]!;
  lines[0] = `${pad}- ${head.slice(inner)}`;
  return lines;
}

function renderFlow(rest: readonly YamlPathSegment[], value: YamlScalarValue, pathText: string): string {
  const [first, ...tail] = rest;
  if (first === undefined) return renderFlowScalar(value, 'PLAIN', true);
  if (typeof first === 'string') return `{${renderFlowKey(first)}: ${renderFlow(tail, value, pathText)}}`;
  if (typeof first === 'number') {
    checkNewSequenceIndex(first, pathText);
    return `[${renderFlow(tail, value, pathText)}]`;
  }
  const inner = renderFlow(tail, value, pathText);
  const selector = `${renderFlowKey(first.key)}: ${renderFlowScalar(first.value, 'PLAIN', true)}`;
  return `[{${selector}${inner.startsWith('{') ? `, ${inner.slice(1, -1)}` : ''}}]`;
}

function renderFlowKey(key: string | number): string {
  const text = String(key);
  return canWritePlain(text, true) ? text : toDoubleQuoted(text);
}

function planFlowInsertion(
  container: YAMLMap | YAMLSeq,
  rest: readonly YamlPathSegment[],
  value: YamlScalarValue,
  pathText: string,
): TextSplice {
  let entry: string;
  if (isMap(container)) {
    const [first, ...tail] = rest;
    if (first === undefined || typeof first === 'object') {
      throw new PathTypeError(`The path ${pathText} uses a selector on a map`, {
        path: pathText,
        found: 'map',
      });
    }
    entry = `${renderFlowKey(first)}: ${renderFlow(tail, value, pathText)}`;
  } else {
    // The item itself: strip the outer `[...]` renderFlow adds for the index/selector segment.
    entry = renderFlow(rest, value, pathText).slice(1, -1);
  }
  const items = container.items as Array<{ key?: unknown; value?: unknown; range?: unknown }>;
  if (items.length === 0) {
    const open = container.range?.[0] ?? 0;
    return { start: open + 1, end: open + 1, replacement: entry };
  }
  const end = nodeEnd(container, true);
  return { start: end, end, replacement: `, ${entry}` };
}

/**
 * An explicit `~` / `null` placeholder becomes the parent of the new lines: the token (and the spaces before it,
 * when nothing follows on the line) goes, so `image: ~` turns into `image:` with the new children below.
 */
function removeNullPlaceholder(text: string, container: Scalar, splice: TextSplice): TextSplice {
  const token = container.srcToken;
  if (!token || !('source' in token) || token.source === '' || typeof token.offset !== 'number')
    return splice;
  let start = token.offset;
  const tokenEnd = token.offset + token.source.length;
  const lineBreak = text.indexOf('\n', tokenEnd);
  const restOfLine = text.slice(tokenEnd, lineBreak === -1 ? text.length : lineBreak).replace(/\r$/, '');
  if (restOfLine.trim() === '') {
    while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start -= 1;
  }
  return {
    start,
    end: splice.end,
    replacement: text.slice(tokenEnd, splice.start) + splice.replacement,
  };
}

/** End offset of the last child's value (before trailing comments). */
function nodeEnd(container: YAMLMap | YAMLSeq, valueOnly = false): number {
  let end = container.range?.[0] ?? 0;
  for (const item of container.items as unknown[]) {
    const candidates: unknown[] = isScalarOrNode(item) ? [item] : [];
    if (item && typeof item === 'object' && 'key' in item) {
      const pair = item as unknown as { key: unknown; value: unknown };
      candidates.push(pair.key, pair.value);
    }
    for (const candidate of candidates) {
      const range = (candidate as Node | null)?.range;
      if (range) end = Math.max(end, valueOnly ? range[1] : range[1]);
    }
  }
  return end;
}

function isScalarOrNode(item: unknown): boolean {
  return typeof item === 'object' && item !== null && 'range' in item;
}

function keyColumn(text: string, map: YAMLMap): number {
  const firstKey = map.items[0]?.key as Node | undefined;
  return columnOf(text, firstKey?.range?.[0] ?? map.range?.[0] ?? 0);
}

function dashColumn(text: string, sequence: YAMLSeq): number {
  const token = sequence.srcToken;
  if (token && token.type === 'block-seq') {
    const indicator = token.items[0]?.start.find((part) => part.type === 'seq-item-ind');
    if (indicator) return columnOf(text, indicator.offset);
  }
  return Math.max(columnOf(text, sequence.range?.[0] ?? 0), 0);
}

function columnOf(text: string, offset: number): number {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return offset - lineStart;
}

/** Inserts `lines` after the line that holds `offset` (or at the end when it has no line break). */
function insertLinesAfter(text: string, offset: number, lines: readonly string[], eol: string): TextSplice {
  let at: number;
  if (offset > 0 && text[offset - 1] === '\n') at = offset;
  else {
    const newline = text.indexOf('\n', offset);
    at = newline === -1 ? text.length : newline + 1;
  }
  const block = lines.join(eol);
  if (at === text.length && text.length > 0 && !text.endsWith('\n')) {
    // Keep the missing final newline missing.
    return { start: at, end: at, replacement: `${eol}${block}` };
  }
  return { start: at, end: at, replacement: `${block}${eol}` };
}

export type { Scalar };
