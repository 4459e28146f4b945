/** The block layout a file uses, detected so inserted lines look like their neighbours. */
export interface IndentStyle {
  /** Spaces a nested map is indented by (most common step; 2 when the file has no nesting). */
  readonly indentUnit: number;
  /** Spaces a block sequence's `-` is indented relative to its key (0 for `key:\n- a`). */
  readonly sequenceOffset: number;
}

/**
 * Detects the most common map indentation step and sequence offset from `key:` lines and the line after them.
 *
 * @example detectIndentStyle('a:\n    b: 1\nl:\n- x\n') // { indentUnit: 4, sequenceOffset: 0 }
 */
export function detectIndentStyle(text: string): IndentStyle {
  const unitCounts = new Map<number, number>();
  const sequenceCounts = new Map<number, number>();
  let previousIndent = -1;
  let previousOpensBlock = false;
  let position = 0;
  while (position < text.length) {
    let end = text.indexOf('\n', position);
    if (end === -1) end = text.length;
    let content = position;
    while (content < end && text.charCodeAt(content) === 32) content += 1;
    const lineEnd = end > position && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (content < lineEnd && text.charCodeAt(content) !== 35 && text.charCodeAt(content) !== 9) {
      const indent = content - position;
      const isItem =
        text.charCodeAt(content) === 45 && (content + 1 === lineEnd || text.charCodeAt(content + 1) === 32);
      if (previousOpensBlock) {
        const step = indent - previousIndent;
        if (isItem && step >= 0) sequenceCounts.set(step, (sequenceCounts.get(step) ?? 0) + 1);
        else if (!isItem && step > 0) unitCounts.set(step, (unitCounts.get(step) ?? 0) + 1);
      }
      const line = stripComment(text.slice(content, lineEnd)).trimEnd();
      previousOpensBlock = line.endsWith(':') && !isItem;
      previousIndent = indent;
    }
    position = end + 1;
  }
  const indentUnit = mostCommon(unitCounts) ?? 2;
  return { indentUnit, sequenceOffset: mostCommon(sequenceCounts) ?? indentUnit };
}

function stripComment(line: string): string {
  const index = line.indexOf(' #');
  return index === -1 ? line : line.slice(0, index);
}

function mostCommon(counts: Map<number, number>): number | undefined {
  let best: number | undefined;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && best !== undefined && value < best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}
