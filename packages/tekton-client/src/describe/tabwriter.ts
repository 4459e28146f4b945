/** Options of {@link alignColumns}, named after Go's `text/tabwriter`. */
export interface AlignColumnsOptions {
  minWidth?: number;
  padding?: number;
}

/**
 * Aligns tab-separated cells the way Go's `text/tabwriter` does with a space pad character: a cell is text ended by
 * a tab, the text after a line's last tab is not aligned, and a column's width is taken over each contiguous block
 * of lines that have a cell in that column (nested inside the block of the column before it).
 */
export function alignColumns(text: string, options: AlignColumnsOptions = {}): string {
  const minWidth = options.minWidth ?? 0;
  const padding = options.padding ?? 3;
  const lines = text.split('\n').map((line) => line.split('\t'));
  const widths: number[][] = lines.map(() => []);
  const width = (cell: string) => [...cell].length;

  const layout = (from: number, to: number, column: number): void => {
    let line = from;
    while (line < to) {
      if (column >= (lines[line]?.length ?? 0) - 1) {
        line += 1;
        continue;
      }
      const blockStart = line;
      let columnWidth = minWidth;
      while (line < to && column < (lines[line]?.length ?? 0) - 1) {
        columnWidth = Math.max(columnWidth, width(lines[line]?.[column] ?? '') + padding);
        line += 1;
      }
      for (let member = blockStart; member < line; member += 1) widths[member]![column] = columnWidth;
      layout(blockStart, line, column + 1);
    }
  };
  layout(0, lines.length, 0);

  return lines
    .map((cells, index) =>
      cells
        .map((cell, column) =>
          column < cells.length - 1
            ? cell.padEnd(cell.length + (widths[index]![column]! - width(cell)), ' ')
            : cell,
        )
        .join(''),
    )
    .join('\n');
}
