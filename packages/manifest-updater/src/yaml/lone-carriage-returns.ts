import type { TextSplice } from './scalar-edit.js';

/**
 * Files whose lines end in a lone CR (classic Mac OS, some generators), alone or mixed with CRLF/LF. YAML 1.2
 * counts a lone CR as a line break (spec 5.4, `b-break`), as PyYAML and libyaml do; the `yaml` package's lexer
 * does not, and would read such a file as one long line. So the editor works on a copy with every lone CR turned
 * into LF — the same length, so every offset stays valid — and turns them back afterwards. Lines an edit inserts
 * take the file's most used line break, a lone CR included; the rest of the file keeps its bytes.
 */
export class LoneCarriageReturns {
  /** The text with lone CRs as LF; the input itself when it has none. */
  readonly text: string;
  readonly #offsets: number[];
  readonly #lineBreak: '\r' | '\r\n' | '\n';

  constructor(body: string) {
    const offsets: number[] = [];
    let crlf = 0;
    let lf = 0;
    for (let index = 0; index < body.length; index += 1) {
      const code = body.charCodeAt(index);
      if (code === 13) {
        if (body.charCodeAt(index + 1) === 10) {
          crlf += 1;
          index += 1;
        } else offsets.push(index);
      } else if (code === 10) lf += 1;
    }
    this.#offsets = offsets;
    this.#lineBreak = offsets.length > crlf && offsets.length > lf ? '\r' : crlf > lf ? '\r\n' : '\n';
    this.text = offsets.length === 0 ? body : body.replace(/\r(?!\n)/g, '\n');
  }

  /** Whether the source has any lone CR (otherwise every method is the identity). */
  get present(): boolean {
    return this.#offsets.length > 0;
  }

  /**
   * Gives the line breaks of a replacement the file's majority style and records where lone CRs must come back.
   * Call once per splice, in order, with the splice about to be applied to the working text.
   */
  adapt(splice: TextSplice): TextSplice {
    if (!this.present) return splice;
    const breaks = /\r\n|\n/g;
    const replacement =
      this.#lineBreak === '\r\n'
        ? splice.replacement.replace(breaks, '\r\n')
        : splice.replacement.replace(breaks, '\n');
    const delta = replacement.length - (splice.end - splice.start);
    const kept: number[] = [];
    for (const offset of this.#offsets) {
      if (offset < splice.start) kept.push(offset);
      else if (offset >= splice.end) kept.push(offset + delta);
    }
    if (this.#lineBreak === '\r') {
      for (
        let index = replacement.indexOf('\n');
        index !== -1;
        index = replacement.indexOf('\n', index + 1)
      ) {
        kept.push(splice.start + index);
      }
      kept.sort((left, right) => left - right);
    }
    this.#offsets.splice(0, this.#offsets.length, ...kept);
    return { ...splice, replacement };
  }

  /** The working text with the recorded lone CRs put back. */
  restore(text: string): string {
    if (!this.present) return text;
    const parts: string[] = [];
    let from = 0;
    for (const offset of this.#offsets) {
      parts.push(text.slice(from, offset), '\r');
      from = offset + 1;
    }
    parts.push(text.slice(from));
    return parts.join('');
  }
}
