/**
 * gopher-lua (Lua 5.1) formats every number the Go way when it is concatenated: `4 / 2 .. ""` is `"2"`. Lua 5.4
 * gives `"2.0"`, and the `..` operator cannot be hooked from Lua (numbers never consult `__concat`). So the
 * script is parsed once, when it is first compiled, and every `a .. b` becomes `__gitopsKitConcat(a, b)`, a
 * function of the sandbox prelude that formats numbers like gopher-lua. Nothing else in the text changes (line
 * numbers in error messages stay right). A script that does not parse is returned unchanged, so Lua reports the
 * syntax error itself.
 */

import { SyntaxFailure, type Token, tokenize } from './lua-tokenizer.js';

const BINARY_PRIORITY: Record<string, [number, number]> = {
  or: [1, 1],
  and: [2, 2],
  '<': [3, 3],
  '>': [3, 3],
  '<=': [3, 3],
  '>=': [3, 3],
  '~=': [3, 3],
  '==': [3, 3],
  '|': [4, 4],
  '~': [5, 5],
  '&': [6, 6],
  '<<': [7, 7],
  '>>': [7, 7],
  '..': [9, 8],
  '+': [10, 10],
  '-': [10, 10],
  '*': [11, 11],
  '/': [11, 11],
  '//': [11, 11],
  '%': [11, 11],
  '^': [14, 13],
};
const UNARY_PRIORITY = 12;

interface Edit {
  position: number;
  deleteCount: number;
  text: string;
}

class Parser {
  readonly #tokens: Token[];
  #index = 0;
  readonly edits: Edit[] = [];

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  get #current(): Token {
    return this.#tokens[this.#index] as Token;
  }

  #peek(offset = 1): Token {
    return (this.#tokens[this.#index + offset] ?? this.#tokens[this.#tokens.length - 1]) as Token;
  }

  #is(value: string): boolean {
    const token = this.#current;
    return token.type === 'op' && token.value === value;
  }

  #accept(value: string): boolean {
    if (this.#is(value)) {
      this.#index += 1;
      return true;
    }
    return false;
  }

  #expect(value: string): Token {
    const token = this.#current;
    if (!this.#is(value)) throw new SyntaxFailure(`expected ${value} near ${token.value}`);
    this.#index += 1;
    return token;
  }

  #name(): Token {
    const token = this.#current;
    if (token.type !== 'name') throw new SyntaxFailure(`expected a name near ${token.value}`);
    this.#index += 1;
    return token;
  }

  chunk(): void {
    this.#block();
    if (this.#current.type !== 'eof') throw new SyntaxFailure(`unexpected ${this.#current.value}`);
  }

  #blockEnds(): boolean {
    const token = this.#current;
    return (
      token.type === 'eof' ||
      (token.type === 'op' &&
        (token.value === 'end' ||
          token.value === 'else' ||
          token.value === 'elseif' ||
          token.value === 'until'))
    );
  }

  #block(): void {
    while (!this.#blockEnds()) {
      if (this.#is('return')) {
        this.#index += 1;
        if (!this.#blockEnds() && !this.#is(';')) this.#expressionList();
        this.#accept(';');
        return;
      }
      this.#statement();
    }
  }

  #statement(): void {
    const token = this.#current;
    if (token.type === 'op') {
      switch (token.value) {
        case ';':
          this.#index += 1;
          return;
        case '::':
          this.#index += 1;
          this.#name();
          this.#expect('::');
          return;
        case 'break':
          this.#index += 1;
          return;
        case 'goto':
          this.#index += 1;
          this.#name();
          return;
        case 'do':
          this.#index += 1;
          this.#block();
          this.#expect('end');
          return;
        case 'while':
          this.#index += 1;
          this.#expression();
          this.#expect('do');
          this.#block();
          this.#expect('end');
          return;
        case 'repeat':
          this.#index += 1;
          this.#block();
          this.#expect('until');
          this.#expression();
          return;
        case 'if':
          this.#index += 1;
          this.#expression();
          this.#expect('then');
          this.#block();
          while (this.#accept('elseif')) {
            this.#expression();
            this.#expect('then');
            this.#block();
          }
          if (this.#accept('else')) this.#block();
          this.#expect('end');
          return;
        case 'for':
          this.#index += 1;
          this.#name();
          if (this.#accept('=')) {
            this.#expression();
            this.#expect(',');
            this.#expression();
            if (this.#accept(',')) this.#expression();
          } else {
            while (this.#accept(',')) this.#name();
            this.#expect('in');
            this.#expressionList();
          }
          this.#expect('do');
          this.#block();
          this.#expect('end');
          return;
        case 'function':
          this.#index += 1;
          this.#name();
          while (this.#accept('.')) this.#name();
          if (this.#accept(':')) this.#name();
          this.#functionBody();
          return;
        case 'local':
          this.#index += 1;
          if (this.#accept('function')) {
            this.#name();
            this.#functionBody();
            return;
          }
          do {
            this.#name();
            if (this.#accept('<')) {
              this.#name();
              this.#expect('>');
            }
          } while (this.#accept(','));
          if (this.#accept('=')) this.#expressionList();
          return;
        default:
          break;
      }
    }
    this.#suffixedExpression();
    if (this.#is('=') || this.#is(',')) {
      while (this.#accept(',')) this.#suffixedExpression();
      this.#expect('=');
      this.#expressionList();
    }
  }

  #functionBody(): void {
    this.#expect('(');
    if (!this.#is(')')) {
      do {
        if (this.#accept('...')) break;
        this.#name();
      } while (this.#accept(','));
    }
    this.#expect(')');
    this.#block();
    this.#expect('end');
  }

  #expressionList(): void {
    this.#expression();
    while (this.#accept(',')) this.#expression();
  }

  #expression(): void {
    this.#subExpression(0);
  }

  /** Returns the source offset where the parsed expression starts. */
  #subExpression(limit: number): number {
    const start = this.#current.start;
    const token = this.#current;
    if (
      token.type === 'op' &&
      (token.value === 'not' || token.value === '-' || token.value === '#' || token.value === '~')
    ) {
      this.#index += 1;
      this.#subExpression(UNARY_PRIORITY);
    } else {
      this.#simpleExpression();
    }
    for (;;) {
      const operator = this.#current;
      const priority = operator.type === 'op' ? BINARY_PRIORITY[operator.value] : undefined;
      if (priority === undefined || priority[0] <= limit) break;
      this.#index += 1;
      this.#subExpression(priority[1]);
      if (operator.value === '..') {
        const end = this.#peek(-1).end;
        this.edits.push({ position: start, deleteCount: 0, text: '__gitopsKitConcat(' });
        this.edits.push({ position: operator.start, deleteCount: 2, text: ',' });
        this.edits.push({ position: end, deleteCount: 0, text: ')' });
      }
    }
    return start;
  }

  #simpleExpression(): void {
    const token = this.#current;
    if (token.type === 'number' || token.type === 'string') {
      this.#index += 1;
      return;
    }
    if (token.type === 'op') {
      switch (token.value) {
        case 'nil':
        case 'true':
        case 'false':
        case '...':
          this.#index += 1;
          return;
        case '{':
          this.#table();
          return;
        case 'function':
          this.#index += 1;
          this.#functionBody();
          return;
        default:
          break;
      }
    }
    this.#suffixedExpression();
  }

  #primaryExpression(): void {
    if (this.#accept('(')) {
      this.#expression();
      this.#expect(')');
      return;
    }
    this.#name();
  }

  #suffixedExpression(): void {
    this.#primaryExpression();
    for (;;) {
      const token = this.#current;
      if (token.type === 'string') {
        this.#index += 1;
      } else if (token.type !== 'op') {
        return;
      } else if (token.value === '.') {
        this.#index += 1;
        this.#name();
      } else if (token.value === '[') {
        this.#index += 1;
        this.#expression();
        this.#expect(']');
      } else if (token.value === ':') {
        this.#index += 1;
        this.#name();
        this.#callArguments();
      } else if (token.value === '(' || token.value === '{') {
        this.#callArguments();
      } else {
        return;
      }
    }
  }

  #callArguments(): void {
    const token = this.#current;
    if (token.type === 'string') {
      this.#index += 1;
      return;
    }
    if (this.#is('{')) {
      this.#table();
      return;
    }
    this.#expect('(');
    if (!this.#is(')')) this.#expressionList();
    this.#expect(')');
  }

  #table(): void {
    this.#expect('{');
    while (!this.#is('}')) {
      if (this.#accept('[')) {
        this.#expression();
        this.#expect(']');
        this.#expect('=');
        this.#expression();
      } else if (this.#current.type === 'name' && this.#peek().type === 'op' && this.#peek().value === '=') {
        this.#index += 2;
        this.#expression();
      } else {
        this.#expression();
      }
      if (!this.#accept(',') && !this.#accept(';')) break;
    }
    this.#expect('}');
  }
}

/**
 * Rewrites every `..` of a Lua script into a call of the prelude's Go-style concatenation, leaving everything
 * else untouched. Returns the input when it has no `..` or does not parse.
 * @internal
 */
export function rewriteLuaSource(source: string): string {
  if (!source.includes('..')) return source;
  let parser: Parser;
  try {
    parser = new Parser(tokenize(source));
    parser.chunk();
  } catch (error) {
    if (error instanceof SyntaxFailure) return source;
    throw error;
  }
  if (parser.edits.length === 0) return source;
  // Stable order: by position; at one position, deletions (the operator) before insertions, ')' before '('.
  const edits = parser.edits
    .map((edit, order) => ({ ...edit, order }))
    .sort((left, right) => left.position - right.position || left.order - right.order);
  const out: string[] = [];
  let cursor = 0;
  for (const edit of edits) {
    out.push(source.slice(cursor, edit.position), edit.text);
    cursor = edit.position + edit.deleteCount;
  }
  out.push(source.slice(cursor));
  return out.join('');
}
