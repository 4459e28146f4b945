import { YamlPathSyntaxError } from './yaml-errors.js';

/** Picks the item of a sequence of maps whose `key` holds the scalar `value` (kustomize `images[name=nginx]`). */
export interface YamlSequenceSelector {
  readonly key: string;
  readonly value: string;
}

/** One step of a path: a map key, a sequence index, or a selector over a sequence of maps. */
export type YamlPathSegment = string | number | YamlSequenceSelector;

/**
 * A path into a YAML document: a dotted string (`image.tag`, `a\.b` for a key with a dot, `containers.0.image`,
 * `images[name=nginx].newTag`) or the segments themselves.
 */
export type YamlPath = string | readonly YamlPathSegment[];

const DIGITS = /^(?:0|[1-9][0-9]*)$/;

/**
 * Splits a dotted path into segments. All-digit segments become numbers (a sequence index, or the key `"0"` when
 * the node is a map); `[n]` is an index and `[key=value]` a selector. `\` escapes the next character.
 *
 * @throws {YamlPathSyntaxError} on an empty segment, an unclosed `[` or an empty path.
 * @example parseYamlPath('images[name=nginx].newTag') // ['images', { key: 'name', value: 'nginx' }, 'newTag']
 */
export function parseYamlPath(path: YamlPath): YamlPathSegment[] {
  if (typeof path !== 'string') {
    if (!Array.isArray(path) || path.length === 0) {
      throw new YamlPathSyntaxError('A YAML path needs at least one segment', { path: String(path) });
    }
    for (const segment of path) {
      const valid =
        (typeof segment === 'string' && segment.length > 0) ||
        (typeof segment === 'number' && Number.isInteger(segment) && segment >= 0) ||
        (typeof segment === 'object' &&
          segment !== null &&
          typeof segment.key === 'string' &&
          typeof segment.value === 'string');
      if (!valid) {
        throw new YamlPathSyntaxError(`Invalid segment in YAML path ${JSON.stringify(path)}`, {
          path: formatPathLoosely(path),
        });
      }
    }
    return [...path];
  }
  const segments: YamlPathSegment[] = [];
  let current = '';
  let currentEscaped = false;
  let hasCurrent = false;
  const fail = (why: string): never => {
    throw new YamlPathSyntaxError(`Invalid YAML path ${JSON.stringify(path)}: ${why}`, { path });
  };
  const flush = (required: boolean): void => {
    if (!hasCurrent) {
      if (required) fail('empty segment');
      return;
    }
    segments.push(!currentEscaped && DIGITS.test(current) ? Number(current) : current);
    current = '';
    currentEscaped = false;
    hasCurrent = false;
  };
  let index = 0;
  let afterBracket = false;
  while (index < path.length) {
    const char = path[index]!;
    if (char === '\\') {
      if (index + 1 >= path.length) fail('trailing backslash');
      current += path[index + 1];
      currentEscaped = true;
      hasCurrent = true;
      index += 2;
      afterBracket = false;
      continue;
    }
    if (char === '.') {
      if (afterBracket) {
        afterBracket = false;
        index += 1;
        continue;
      }
      flush(true);
      index += 1;
      continue;
    }
    if (char === '[') {
      flush(false);
      let inner = '';
      let closed = false;
      index += 1;
      while (index < path.length) {
        const innerChar = path[index]!;
        if (innerChar === '\\' && index + 1 < path.length) {
          inner += path[index + 1];
          index += 2;
          continue;
        }
        if (innerChar === ']') {
          closed = true;
          index += 1;
          break;
        }
        inner += innerChar;
        index += 1;
      }
      if (!closed) fail('unclosed "["');
      const equals = inner.indexOf('=');
      if (equals < 0) {
        if (!DIGITS.test(inner)) fail(`"[${inner}]" is neither an index nor a key=value selector`);
        segments.push(Number(inner));
      } else {
        const key = inner.slice(0, equals).trim();
        let value = inner.slice(equals + 1).trim();
        if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0]!)) {
          value = value.slice(1, -1);
        }
        if (key === '') fail('selector without a key');
        segments.push({ key, value });
      }
      afterBracket = true;
      continue;
    }
    if (afterBracket) fail('expected "." or "[" after "]"');
    current += char;
    hasCurrent = true;
    index += 1;
  }
  if (!afterBracket) flush(true);
  if (segments.length === 0) fail('empty path');
  return segments;
}

/**
 * Formats segments back into the dotted form (`images[name=nginx].newTag`), escaping dots and brackets in keys.
 *
 * @example formatYamlPath(['a.b', 0, 'c']) // 'a\\.b.0.c'
 */
export function formatYamlPath(segments: readonly YamlPathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += out === '' ? String(segment) : `.${segment}`;
    else if (typeof segment === 'string') {
      const escaped = segment.replace(/[\\.[\]]/g, (match) => `\\${match}`);
      const text = DIGITS.test(segment) ? `\\${escaped}` : escaped;
      out += out === '' ? text : `.${text}`;
    } else {
      const escapeSelector = (text: string): string => text.replace(/[\\\]=]/g, (match) => `\\${match}`);
      out += `[${escapeSelector(segment.key)}=${escapeSelector(segment.value)}]`;
    }
  }
  return out;
}

function formatPathLoosely(path: unknown): string {
  try {
    return JSON.stringify(path) ?? String(path);
  } catch {
    return String(path);
  }
}
