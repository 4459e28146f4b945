import type { YamlPathSegment } from './yaml-path.js';

/** Where the fast scanner found the target key: the line `key: value # comment` from the key on. */
export interface ScannedTarget {
  /** Offset of the key's first character. */
  readonly keyStart: number;
  /** Offset of the end of the line, before `\r\n` / `\n`. */
  readonly lineEnd: number;
}

/** Thrown inside the scanner when the source has something it does not handle; the caller falls back. */
class Unsupported {
  constructor(readonly reason: string) {}
}

interface Line {
  readonly start: number;
  readonly content: number;
  readonly end: number;
  readonly next: number;
}

interface Entry {
  readonly keyStart: number;
  readonly colon: number;
  readonly indent: number;
  readonly line: Line;
}

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const CR = 13;

/**
 * Locates a scalar target by indentation alone, without parsing the file: maps are followed by key text at the
 * child indentation, off-path subtrees (including block scalars and multi-line flow collections, whose lines are
 * always more indented than their key) are skipped line by line, and sequences are walked by `- ` items.
 *
 * Returns undefined whenever something is outside what it handles (tabs in indentation, complex or escaped keys,
 * several documents, directives, a lone `\r`, flow or alias values on the path, a duplicate key on the path, a
 * value that continues on the next line…), so the caller falls back to the full CST parse, which also produces the
 * right error. The scan continues to the end of each map on the path to notice duplicate keys.
 */
export function scanForScalar(text: string, segments: readonly YamlPathSegment[]): ScannedTarget | undefined {
  try {
    return scan(text, segments);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

function scan(text: string, segments: readonly YamlPathSegment[]): ScannedTarget {
  if (text.indexOf('\r') !== -1 && /\r(?!\n)/.test(text)) throw new Unsupported('lone CR');
  // Leading blank lines, comments and at most one `---` marker.
  let position = 0;
  let sawMarker = false;
  let first: Line | undefined;
  while (position < text.length) {
    const line = readLine(text, position);
    if (isBlankOrComment(text, line)) {
      position = line.next;
      continue;
    }
    const char = text.charCodeAt(line.content);
    if (line.content === line.start && (char === 37 /* % */ || isMarker(text, line, '.'))) {
      throw new Unsupported('directive or document end');
    }
    if (line.content === line.start && isMarker(text, line, '-')) {
      if (
        sawMarker ||
        !isBlankOrComment(text, { ...line, content: skipSpaces(text, line.start + 3, line.end) })
      ) {
        throw new Unsupported('content after ---');
      }
      sawMarker = true;
      position = line.next;
      continue;
    }
    first = line;
    break;
  }
  if (!first) throw new Unsupported('empty document');
  const rootIndent = first.content - first.start;
  let container: { kind: 'map' | 'seq'; start: number; indent: number; firstContent: number | undefined } = {
    kind: isItem(text, first.content, first.end) ? 'seq' : 'map',
    start: first.start,
    indent: rootIndent,
    firstContent: undefined,
  };
  for (let index = 0; index < segments.length; index += 1) {
    const segment = segments[index]!;
    const isRoot = index === 0;
    let entry: Entry;
    if (container.kind === 'map') {
      if (typeof segment === 'object') throw new Unsupported('selector on a map');
      const found = findInMap(
        text,
        container.start,
        container.indent,
        String(segment),
        container.firstContent,
        isRoot,
      );
      if (!found) throw new Unsupported('missing key');
      entry = found;
    } else {
      if (typeof segment === 'string') throw new Unsupported('key on a sequence');
      const item = findInSequence(text, container.start, container.indent, segment, isRoot);
      // The item's content: an inline map (`- name: x`) or a map on the following lines.
      if (index === segments.length - 1) throw new Unsupported('sequence item as target');
      const next = segments[index + 1]!;
      if (typeof next !== 'string' && typeof next !== 'number') throw new Unsupported('nested sequence');
      container = item;
      continue;
    }
    if (index === segments.length - 1) {
      checkNothingBelow(text, entry);
      return { keyStart: entry.keyStart, lineEnd: entry.line.end };
    }
    container = childOf(text, entry);
  }
  throw new Unsupported('sequence target');
}

/**
 * Start of the next line (after `line`) whose content starts at column `maxIndent` or less, skipping deeper and
 * blank lines without building line objects (this loop is most of the fast path's time on large files).
 */
function nextShallowLine(text: string, line: Line, maxIndent: number): number {
  let position = line.next;
  const length = text.length;
  while (position < length) {
    const limit = position + maxIndent;
    let column = position;
    while (column <= limit && text.charCodeAt(column) === SPACE) column += 1;
    if (column <= limit && column < length) {
      const code = text.charCodeAt(column);
      if (code !== 10 && code !== CR) return position;
    }
    const newline = text.indexOf('\n', column);
    if (newline === -1) return length;
    position = newline + 1;
  }
  return length;
}

function readLine(text: string, start: number): Line {
  let newline = text.indexOf('\n', start);
  if (newline === -1) newline = text.length;
  const end = newline > start && text.charCodeAt(newline - 1) === CR ? newline - 1 : newline;
  let content = start;
  while (content < end && text.charCodeAt(content) === SPACE) content += 1;
  if (content < end && text.charCodeAt(content) === TAB) {
    // A tab after the indentation spaces: fine only on a line that is otherwise blank.
    const after = skipSpaces(text, content, end);
    if (after < end && text.charCodeAt(after) !== HASH) throw new Unsupported('tab in indentation');
  }
  return { start, content, end, next: newline + 1 };
}

function skipSpaces(text: string, from: number, end: number): number {
  let index = from;
  while (index < end && (text.charCodeAt(index) === SPACE || text.charCodeAt(index) === TAB)) index += 1;
  return index;
}

function isBlankOrComment(text: string, line: Line): boolean {
  const content = skipSpaces(text, line.content, line.end);
  return content >= line.end || text.charCodeAt(content) === HASH;
}

function isMarker(text: string, line: Line, char: '-' | '.'): boolean {
  if (!text.startsWith(char.repeat(3), line.start)) return false;
  const after = line.start + 3;
  return after >= line.end || text.charCodeAt(after) === SPACE || text.charCodeAt(after) === TAB;
}

function isItem(text: string, at: number, end: number): boolean {
  return (
    text.charCodeAt(at) === DASH &&
    (at + 1 >= end || text.charCodeAt(at + 1) === SPACE || text.charCodeAt(at + 1) === TAB)
  );
}

/**
 * Scans a block map whose keys sit at column `indent`, from the line starting at `start` (whose content begins at
 * `firstContent` when the map starts inline after `- `). Returns the entry for `wanted`, after scanning the whole map.
 */
function findInMap(
  text: string,
  start: number,
  indent: number,
  wanted: string,
  firstContent: number | undefined,
  isRoot: boolean,
): Entry | undefined {
  let position = start;
  let found: Entry | undefined;
  let firstLine = firstContent !== undefined;
  let sawKey = false;
  while (position < text.length) {
    const raw = readLine(text, position);
    const line = firstLine ? { ...raw, content: firstContent! } : raw;
    const lineIndent = firstLine ? indent : line.content - line.start;
    firstLine = false;
    if (isBlankOrComment(text, line)) {
      position = nextShallowLine(text, line, indent);
      continue;
    }
    if (lineIndent < indent) {
      if (isRoot) throw new Unsupported('content left of the root map');
      break;
    }
    if (lineIndent > indent) {
      position = nextShallowLine(text, line, indent);
      continue;
    }
    if (line.content === line.start && (isMarker(text, line, '-') || isMarker(text, line, '.'))) {
      throw new Unsupported('several documents');
    }
    if (isItem(text, line.content, line.end)) {
      // `key:\n- item` keeps the sequence at the key's column.
      if (!sawKey) throw new Unsupported('sequence where a map was expected');
      position = nextShallowLine(text, line, indent);
      continue;
    }
    const key = readKey(text, line.content, line.end);
    sawKey = true;
    if (key.text === wanted) {
      if (found) throw new Unsupported('duplicate key');
      found = { keyStart: line.content, colon: key.colon, indent, line };
    }
    position = nextShallowLine(text, line, indent);
  }
  return found;
}

function findInSequence(
  text: string,
  start: number,
  indent: number,
  segment: number | { key: string; value: string },
  isRoot: boolean,
): { kind: 'map'; start: number; indent: number; firstContent: number | undefined } {
  let position = start;
  let itemIndex = -1;
  while (position < text.length) {
    const line = readLine(text, position);
    const lineIndent = line.content - line.start;
    if (isBlankOrComment(text, line)) {
      position = nextShallowLine(text, line, indent);
      continue;
    }
    if (lineIndent < indent) break;
    if (lineIndent > indent) {
      position = nextShallowLine(text, line, indent);
      continue;
    }
    if (line.content === line.start && (isMarker(text, line, '-') || isMarker(text, line, '.'))) {
      throw new Unsupported('several documents');
    }
    if (!isItem(text, line.content, line.end)) {
      if (isRoot) throw new Unsupported('mixed root');
      break;
    }
    itemIndex += 1;
    const item = itemMap(text, line);
    if (typeof segment === 'number') {
      if (itemIndex === segment) return item;
    } else {
      const entry = findInMap(text, item.start, item.indent, segment.key, item.firstContent, false);
      if (entry && inlineScalarText(text, entry) === segment.value) return item;
    }
    position = nextShallowLine(text, line, indent);
  }
  throw new Unsupported('sequence item not found');
}

function itemMap(
  text: string,
  line: Line,
): { kind: 'map'; start: number; indent: number; firstContent: number | undefined } {
  const afterDash = skipSpaces(text, line.content + 1, line.end);
  if (afterDash < line.end && text.charCodeAt(afterDash) !== HASH) {
    if (text.indexOf('\t', line.content) !== -1 && text.indexOf('\t', line.content) < afterDash) {
      throw new Unsupported('tab after dash');
    }
    if (isItem(text, afterDash, line.end)) throw new Unsupported('nested sequence');
    return { kind: 'map', start: line.start, indent: afterDash - line.start, firstContent: afterDash };
  }
  const next = nextContentLine(text, line.next);
  if (!next || next.content - next.start <= line.content - line.start) throw new Unsupported('empty item');
  if (isItem(text, next.content, next.end)) throw new Unsupported('nested sequence');
  return { kind: 'map', start: next.start, indent: next.content - next.start, firstContent: undefined };
}

function nextContentLine(text: string, from: number): Line | undefined {
  let position = from;
  while (position < text.length) {
    const line = readLine(text, position);
    if (!isBlankOrComment(text, line)) return line;
    position = line.next;
  }
  return undefined;
}

/** The block collection under `entry` when its value is on the following lines. */
function childOf(
  text: string,
  entry: Entry,
): { kind: 'map' | 'seq'; start: number; indent: number; firstContent: number | undefined } {
  let valueStart = skipSpaces(text, entry.colon + 1, entry.line.end);
  if (valueStart < entry.line.end && text.charCodeAt(valueStart) === 38 /* & */) {
    // `image: &image` followed by the anchored map: the anchor stays untouched.
    let index = valueStart + 1;
    while (index < entry.line.end && text.charCodeAt(index) !== SPACE && text.charCodeAt(index) !== TAB)
      index += 1;
    valueStart = skipSpaces(text, index, entry.line.end);
  }
  if (valueStart < entry.line.end && text.charCodeAt(valueStart) !== HASH)
    throw new Unsupported('inline value');
  const next = nextContentLine(text, entry.line.next);
  if (!next) throw new Unsupported('empty value');
  const nextIndent = next.content - next.start;
  const item = isItem(text, next.content, next.end);
  if (nextIndent > entry.indent) {
    return { kind: item ? 'seq' : 'map', start: next.start, indent: nextIndent, firstContent: undefined };
  }
  if (nextIndent === entry.indent && item) {
    return { kind: 'seq', start: next.start, indent: nextIndent, firstContent: undefined };
  }
  throw new Unsupported('empty value');
}

/** Fails when lines below the target belong to its value (a nested collection or a multi-line scalar). */
function checkNothingBelow(text: string, entry: Entry): void {
  const next = nextContentLine(text, entry.line.next);
  if (!next) return;
  const nextIndent = next.content - next.start;
  if (nextIndent > entry.indent) throw new Unsupported('value continues below');
  if (nextIndent === entry.indent && isItem(text, next.content, next.end))
    throw new Unsupported('sequence value');
}

/** The scalar text after `key:` on the entry's line, when it is a simple plain or quoted scalar. */
function inlineScalarText(text: string, entry: Entry): string {
  const start = skipSpaces(text, entry.colon + 1, entry.line.end);
  const char = text.charCodeAt(start);
  if (char === 34 || char === 39) {
    const quote = text[start]!;
    const close = text.indexOf(quote, start + 1);
    if (close === -1 || close > entry.line.end) throw new Unsupported('multi-line quoted value');
    const inner = text.slice(start + 1, close);
    if (quote === '"' && inner.includes('\\')) throw new Unsupported('escaped value');
    if (quote === "'" && text[close + 1] === "'") throw new Unsupported('escaped value');
    return inner;
  }
  let end = entry.line.end;
  const comment = text.indexOf(' #', start);
  if (comment !== -1 && comment < end) end = comment;
  const value = text.slice(start, end).trim();
  if (/^[&*!|>[{]/.test(value)) throw new Unsupported('complex value');
  return value;
}

/** Reads a simple key (plain, or quoted without escapes) and the offset of its `:`. */
function readKey(text: string, at: number, end: number): { text: string; colon: number } {
  const char = text.charCodeAt(at);
  if (char === 34 || char === 39) {
    const quote = text[at]!;
    let close = at + 1;
    for (;;) {
      close = text.indexOf(quote, close);
      if (close === -1 || close >= end) throw new Unsupported('multi-line key');
      if (quote === "'" && text[close + 1] === "'") {
        close += 2;
        continue;
      }
      break;
    }
    const inner = text.slice(at + 1, close);
    if (quote === '"' && inner.includes('\\')) throw new Unsupported('escaped key');
    const colon = skipSpaces(text, close + 1, end);
    if (text.charCodeAt(colon) !== COLON) throw new Unsupported('quoted scalar without key');
    return { text: quote === "'" ? inner.replace(/''/g, "'") : inner, colon };
  }
  if ('?&*!|>[]{}@`%,:#'.includes(text[at]!)) throw new Unsupported('indicator at key start');
  for (let index = at; index < end; index += 1) {
    const code = text.charCodeAt(index);
    if (code === COLON) {
      const after = text.charCodeAt(index + 1);
      if (index + 1 >= end || after === SPACE || after === TAB) {
        return { text: text.slice(at, index).trimEnd(), colon: index };
      }
    } else if (
      code === HASH &&
      (text.charCodeAt(index - 1) === SPACE || text.charCodeAt(index - 1) === TAB)
    ) {
      break;
    }
  }
  throw new Unsupported('line without key');
}
