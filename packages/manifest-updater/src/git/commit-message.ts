/** One value a write-back changed, for the commit message. */
export interface ChangedValue {
  file: string;
  /** The YAML path, or undefined for a change made by a function. */
  path: string | undefined;
  oldValue: unknown;
  newValue: unknown;
}

/** What a commit message template can use. */
export interface CommitMessageContext {
  branch: string;
  /** Changed files, in the order given. */
  files: string[];
  /** Every changed value (function changes appear once per file with undefined path and values). */
  changes: ChangedValue[];
}

/** A template string or a function building the message. */
export type CommitMessageTemplate = string | ((context: CommitMessageContext) => string);

/**
 * The default template: a subject naming the paths, then one line per value.
 * `{summary}`, `{files}`, `{paths}`, `{changes}` and `{branch}` are replaced in string templates.
 */
export const DEFAULT_COMMIT_MESSAGE_TEMPLATE = 'chore: update {summary}\n\n{changes}';

/**
 * Text with a line break or another control character, shown as a JSON string: raw, a value's second line would
 * start a line of its own in the message (a forged `Key: value` trailer, a fake change line).
 */
function oneLine(text: string): string {
  return /[\u0000-\u001f\u007f\u2028\u2029]/.test(text) ? JSON.stringify(text) : text;
}

function formatValue(value: unknown): string {
  if (value === undefined) return '(none)';
  if (typeof value === 'string') return value === '' ? '""' : oneLine(value);
  return JSON.stringify(value);
}

function summarise(context: CommitMessageContext): string {
  const paths = [
    ...new Set(context.changes.map((change) => change.path).filter((path) => path !== undefined)),
  ].map(oneLine);
  const files = context.files.map(oneLine).join(', ');
  if (paths.length === 0) return files;
  const shown =
    paths.length > 3 ? `${paths.slice(0, 3).join(', ')} and ${paths.length - 3} more` : paths.join(', ');
  return `${shown} in ${files}`;
}

function changeLines(context: CommitMessageContext): string {
  return context.changes
    .map((change) =>
      change.path === undefined
        ? `- ${oneLine(change.file)}: edited`
        : `- ${oneLine(change.file)}: ${oneLine(change.path)} ${formatValue(change.oldValue)} → ${formatValue(change.newValue)}`,
    )
    .join('\n');
}

/**
 * Builds the commit message from a template and appends trailers (`Key: value`, git-interpret-trailers(1)
 * style) after a blank line.
 *
 * @example
 * ```ts
 * renderCommitMessage('deploy {paths}', context, { 'Signed-off-by': 'bot <bot@example.com>' });
 * ```
 */
export function renderCommitMessage(
  template: CommitMessageTemplate | undefined,
  context: CommitMessageContext,
  trailers: Readonly<Record<string, string>> = {},
): string {
  const paths = [
    ...new Set(context.changes.map((change) => change.path).filter((path) => path !== undefined)),
  ].map(oneLine);
  const replacements: Record<string, string> = {
    summary: summarise(context),
    files: context.files.map(oneLine).join(', '),
    paths: paths.join(', '),
    changes: changeLines(context),
    branch: oneLine(context.branch),
  };
  const body =
    typeof template === 'function'
      ? template(context)
      : (template ?? DEFAULT_COMMIT_MESSAGE_TEMPLATE).replace(
          /\{(summary|files|paths|changes|branch)\}/g,
          (_match, name: string) => replacements[name] ?? '',
        );
  let message = body.replace(/\s+$/, '');
  const trailerLines = Object.entries(trailers).map(
    ([key, value]) => `${key.replace(/[:\n]/g, '')}: ${value.replace(/\n/g, ' ')}`,
  );
  if (trailerLines.length > 0) message += `\n\n${trailerLines.join('\n')}`;
  return `${message}\n`;
}
