// Lexer for the source rewriter: just enough of Lua's lexical grammar to find expressions reliably.

/** @internal */
export type TokenType = 'name' | 'number' | 'string' | 'op' | 'eof';

/** @internal */
export interface Token {
  type: TokenType;
  value: string;
  start: number;
  end: number;
}

/** Lua's reserved words (5.4 adds `goto`; identifiers spelled like them must be quoted or renamed). */
export const LUA_KEYWORDS: ReadonlySet<string> = new Set([
  'and',
  'break',
  'do',
  'else',
  'elseif',
  'end',
  'false',
  'for',
  'function',
  'goto',
  'if',
  'in',
  'local',
  'nil',
  'not',
  'or',
  'repeat',
  'return',
  'then',
  'true',
  'until',
  'while',
]);

const OPERATORS = ['...', '..', '==', '~=', '<=', '>=', '//', '::', '<<', '>>'];

/** The text is not valid Lua. @internal */
export class SyntaxFailure extends Error {}

function longBracketLevel(source: string, index: number): number {
  // At '[': returns the level of `[==[`, or -1 when it is not a long bracket.
  let cursor = index + 1;
  let level = 0;
  while (source[cursor] === '=') {
    level += 1;
    cursor += 1;
  }
  return source[cursor] === '[' ? level : -1;
}

function skipLongBracket(source: string, index: number, level: number): number {
  const close = `]${'='.repeat(level)}]`;
  const end = source.indexOf(close, index + level + 2);
  if (end < 0) throw new SyntaxFailure('unfinished long bracket');
  return end + close.length;
}

/**
 * Splits Lua 5.1–5.4 source into names, keywords/operators (`op`), numbers and strings, skipping comments and
 * whitespace, with source offsets.
 * @throws {SyntaxFailure} on an unfinished string or long bracket.
 * @internal
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  const length = source.length;
  if (source.startsWith('#')) {
    const newline = source.indexOf('\n');
    index = newline < 0 ? length : newline;
  }
  while (index < length) {
    const character = source[index] as string;
    if (
      character === ' ' ||
      character === '\t' ||
      character === '\n' ||
      character === '\r' ||
      character === '\f' ||
      character === '\v'
    ) {
      index += 1;
      continue;
    }
    if (character === '-' && source[index + 1] === '-') {
      if (source[index + 2] === '[') {
        const level = longBracketLevel(source, index + 2);
        if (level >= 0) {
          index = skipLongBracket(source, index + 2, level);
          continue;
        }
      }
      const newline = source.indexOf('\n', index);
      index = newline < 0 ? length : newline;
      continue;
    }
    const start = index;
    if (/[A-Za-z_]/.test(character)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(index, index + 256)) as RegExpExecArray;
      let name = match[0];
      if (name.length === 256)
        name = (/^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(index)) as RegExpExecArray)[0];
      index += name.length;
      tokens.push({ type: LUA_KEYWORDS.has(name) ? 'op' : 'name', value: name, start, end: index });
      continue;
    }
    if (/[0-9]/.test(character) || (character === '.' && /[0-9]/.test(source[index + 1] ?? ''))) {
      // Lua reads a numeral greedily: digits, letters, dots and signed exponents.
      const rest = source.slice(index);
      const match = /^(?:0[xX](?:[0-9a-fA-F.]|[pP][+-])*|(?:[0-9.]|[eE][+-])*)[0-9A-Za-z_.]*/.exec(
        rest,
      ) as RegExpExecArray;
      index += Math.max(1, match[0].length);
      tokens.push({ type: 'number', value: source.slice(start, index), start, end: index });
      continue;
    }
    if (character === '"' || character === "'") {
      index += 1;
      while (index < length && source[index] !== character) {
        if (source[index] === '\\') index += 1;
        else if (source[index] === '\n') throw new SyntaxFailure('unfinished string');
        index += 1;
      }
      if (index >= length) throw new SyntaxFailure('unfinished string');
      index += 1;
      tokens.push({ type: 'string', value: source.slice(start, index), start, end: index });
      continue;
    }
    if (character === '[') {
      const level = longBracketLevel(source, index);
      if (level >= 0) {
        index = skipLongBracket(source, index, level);
        tokens.push({ type: 'string', value: source.slice(start, index), start, end: index });
        continue;
      }
    }
    const operator = OPERATORS.find((candidate) => source.startsWith(candidate, index)) ?? character;
    index += operator.length;
    tokens.push({ type: 'op', value: operator, start, end: index });
  }
  tokens.push({ type: 'eof', value: '<eof>', start: length, end: length });
  return tokens;
}
