/** Go's duration units (`time.ParseDuration`); both spellings of micro (U+00B5, U+03BC) are accepted by Go. */
const UNITS = new Set(['ns', 'us', '\u00b5s', '\u03bcs', 'ms', 's', 'm', 'h']);

/**
 * Why `text` is not a Go duration, in Go's words (`time: unknown unit " hour" in duration "1 hour"`), or undefined
 * when Go's `time.ParseDuration` would accept it: an optional sign, then one or more `<number><unit>` pairs where
 * the number is `digits`, `digits.`, `.digits` or `digits.digits`; a lone `0` needs no unit. Tekton decodes every
 * timeout (`metav1.Duration`) this way, so a PipelineRun with `timeout: 1 hour` is refused by its webhook.
 *
 * @example
 * ```ts
 * goDurationProblem('1h30m'); // undefined
 * goDurationProblem('10');    // 'time: missing unit in duration "10"'
 * ```
 */
export function goDurationProblem(text: string): string | undefined {
  const quoted = JSON.stringify(text);
  const unsigned = text.replace(/^[-+]/, '');
  if (unsigned === '0') return undefined;
  if (unsigned === '') return `time: invalid duration ${quoted}`;
  const parts = /^(?:(?:\d+\.?\d*|\.\d+)[^\d.]*)+$/.test(unsigned)
    ? [...unsigned.matchAll(/(\d+\.?\d*|\.\d+)([^\d.]*)/g)]
    : undefined;
  if (parts === undefined) return `time: invalid duration ${quoted}`;
  for (const [, , unit = ''] of parts) {
    if (unit === '') return `time: missing unit in duration ${quoted}`;
    if (!UNITS.has(unit)) return `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`;
  }
  return undefined;
}
