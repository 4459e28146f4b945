import { createTwoFilesPatch } from 'diff';

/** Options of {@link diffText}. */
export interface DiffTextOptions {
  /** Name shown in the `---`/`+++` headers. Default `a` and `b` style: the same name on both sides, `file.yaml`. */
  readonly fileName?: string;
  /** Lines of context around each change. Default 3. */
  readonly contextLines?: number;
}

/**
 * A unified diff of two texts, for dry runs and review comments; an empty string when they are equal.
 * Built on the `diff` package (jsdiff), so the output applies with `patch -p0` and `git apply`.
 *
 * @example
 * ```ts
 * const { text } = updateYaml(before, { path: 'image.tag', value: 'v2' });
 * console.log(diffText(before, text, { fileName: 'values.yaml' }));
 * ```
 */
export function diffText(before: string, after: string, options: DiffTextOptions = {}): string {
  if (before === after) return '';
  const fileName = options.fileName ?? 'file.yaml';
  return createTwoFilesPatch(fileName, fileName, before, after, undefined, undefined, {
    context: options.contextLines ?? 3,
  });
}
