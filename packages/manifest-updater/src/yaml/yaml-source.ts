import { ValuesFileTooLargeError, YamlParseError } from './yaml-errors.js';

/**
 * Default cap on input size: 2 MiB, about 11× the largest Helm values file measured (179 KB). yaml's parser reads
 * roughly 4 MB/s on the reference machine, so a worst-case file under the cap parses in about half a second.
 */
export const DEFAULT_MAX_YAML_BYTES = 2 * 1024 * 1024;
/** Default cap on nesting depth (block indentation levels plus flow brackets). Real values files stay below 30. */
export const DEFAULT_MAX_YAML_DEPTH = 200;

const BOM = '\uFEFF';

/** The input split into an optional byte-order mark and the text the parsers see. */
export interface YamlSource {
  readonly bom: string;
  readonly body: string;
}

/**
 * Decodes and bounds the input: rejects more than `maxBytes` before decoding (or before measuring the UTF-8 size
 * of a string), rejects invalid UTF-8, and splits off a BOM so it is written back unchanged.
 *
 * @throws {ValuesFileTooLargeError} when the input is over `maxBytes`.
 * @throws {YamlParseError} `INVALID_UTF8` when bytes are not UTF-8.
 */
export function readYamlSource(source: string | Uint8Array, maxBytes: number): YamlSource {
  let text: string;
  if (typeof source === 'string') {
    // A UTF-16 code unit is 1–3 UTF-8 bytes: only measure exactly when the quick bounds do not decide.
    if (source.length > maxBytes) tooLarge(source.length, maxBytes);
    if (source.length * 3 > maxBytes) {
      const sizeBytes = Buffer.byteLength(source, 'utf8');
      if (sizeBytes > maxBytes) tooLarge(sizeBytes, maxBytes);
    }
    text = source;
  } else {
    if (source.byteLength > maxBytes) tooLarge(source.byteLength, maxBytes);
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(source);
    } catch (error) {
      throw new YamlParseError('The YAML source is not valid UTF-8', {
        yamlCode: 'INVALID_UTF8',
        line: 1,
        col: 1,
        cause: error,
      });
    }
  }
  if (text.startsWith(BOM)) return { bom: BOM, body: text.slice(1) };
  return { bom: '', body: text };
}

function tooLarge(sizeBytes: number, maxBytes: number): never {
  throw new ValuesFileTooLargeError(
    `The YAML source is ${sizeBytes} bytes, over the limit of ${maxBytes} bytes (option maxBytes)`,
    { sizeBytes, maxBytes },
  );
}

/** 1-based line and column of `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  const limit = Math.min(Math.max(offset, 0), text.length);
  for (let index = text.indexOf('\n'); index !== -1 && index < limit; index = text.indexOf('\n', index + 1)) {
    line += 1;
    lineStart = index + 1;
  }
  return { line, col: limit - lineStart + 1 };
}

/** The line break most used in `text` (`\n` when there is none). */
export function detectLineBreak(text: string): '\n' | '\r\n' {
  let crlf = 0;
  let lf = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) {
    if (index > 0 && text.charCodeAt(index - 1) === 13) crlf += 1;
    else lf += 1;
  }
  return crlf > lf ? '\r\n' : '\n';
}

/**
 * Estimates the nesting depth (block indentation levels, `- ` runs and flow brackets) in one linear pass and
 * rejects sources deeper than `maxDepth` before yaml's parser sees them: at ~10k levels the parser exhausts memory.
 *
 * @throws {YamlParseError} `RESOURCE_EXHAUSTION` when too deep.
 */
export function assertNestingWithin(text: string, maxDepth: number): void {
  const indents: number[] = [];
  let flowDepth = 0;
  let position = 0;
  while (position < text.length) {
    let end = text.indexOf('\n', position);
    if (end === -1) end = text.length;
    let column = position;
    while (column < end && (text.charCodeAt(column) === 32 || text.charCodeAt(column) === 45)) {
      // Count `- ` runs as levels, too: `- - - x` nests three sequences.
      if (text.charCodeAt(column) === 45) {
        const next = text.charCodeAt(column + 1);
        if (!(next === 32 || column + 1 === end)) break;
      }
      column += 1;
    }
    const firstContent = column;
    const blank =
      firstContent >= end || text.charCodeAt(firstContent) === 35 || text.charCodeAt(firstContent) === 13;
    if (!blank && flowDepth === 0) {
      const indent = firstContent - position;
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
      let dashes = 0;
      for (let index = position; index < firstContent; index += 1)
        if (text.charCodeAt(index) === 45) dashes += 1;
      if (indents.length + dashes > maxDepth) tooDeep(text, position, maxDepth);
    }
    let quote = 0;
    for (let index = firstContent; index < end; index += 1) {
      const code = text.charCodeAt(index);
      if (quote !== 0) {
        if (code === quote) quote = 0;
        else if (code === 92 && quote === 34) index += 1;
        continue;
      }
      if (code === 34 || code === 39) {
        const previous = index > 0 ? text.charCodeAt(index - 1) : 32;
        // Quotes only open a scalar at its start; `it's` in a plain scalar does not.
        if (previous === 32 || previous === 91 || previous === 123 || previous === 44 || previous === 58)
          quote = code;
      } else if (code === 91 || code === 123) {
        flowDepth += 1;
        if (indents.length + flowDepth > maxDepth) tooDeep(text, index, maxDepth);
      } else if (code === 93 || code === 125) {
        if (flowDepth > 0) flowDepth -= 1;
      } else if (code === 35 && (index === firstContent || text.charCodeAt(index - 1) === 32)) break;
    }
    position = end + 1;
  }
}

function tooDeep(text: string, offset: number, maxDepth: number): never {
  const { line, col } = lineAndColumn(text, offset);
  throw new YamlParseError(`The YAML source nests deeper than ${maxDepth} levels (option maxDepth)`, {
    yamlCode: 'RESOURCE_EXHAUSTION',
    line,
    col,
  });
}
