/**
 * A CommonMark code span that shows `text` exactly as one line: a value with a line break or another control
 * character is shown as its JSON string, and the fence is one backtick longer than the longest run of backticks in
 * it (CommonMark 0.31 §6.1), so no value can end the span and have the rest read as markdown — a mention, a link,
 * an image that calls home, or text that makes a reviewer believe another value is being released.
 */
export function markdownCode(text: string): string {
  const shown = /[\u0000-\u001f\u007f\u2028\u2029]/.test(text) ? JSON.stringify(text) : text;
  const longestRun = Math.max(0, ...(shown.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  // A span that starts or ends with a backtick (or a space) needs a space inside the fence; CommonMark strips one.
  const padded = /^[`\s]|[`\s]$/.test(shown) ? ` ${shown} ` : shown;
  return `${fence}${padded}${fence}`;
}

/** The description of a stage's change request: what it releases, one line per value. */
export function changeRequestDescription(
  releaseId: string,
  stage: string,
  application: string,
  wanted: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
): string {
  return [
    `Promotes release ${markdownCode(releaseId)} to **${stage}** (${markdownCode(application)}):`,
    '',
    ...[...wanted].flatMap(([file, set]) =>
      Object.entries(set).map(
        ([path, value]) => `- ${markdownCode(file)} ${markdownCode(path)} = ${markdownCode(String(value))}`,
      ),
    ),
  ].join('\n');
}
