/**
 * Library errors name library options (`createMissing: true`, `` `project` ``); at the CLI boundary they must name
 * the flag that does the same. Each entry: what the libraries write → what the CLI user types.
 */
const LIBRARY_TO_FLAG: ReadonlyArray<[RegExp, string]> = [
  [/set createMissing: true to create it/g, 'pass --create-missing to create it'],
  [/`?createMissing(?:: true)?`?/g, '--create-missing'],
  [/pass `project`/g, 'pass --project'],
  [/`project`/g, '--project'],
  [/`appNamespace`/g, '--app-namespace'],
  [/options?\.timeoutMs|`timeoutMs`/g, '--timeout'],
  [/refreshTimeoutMs/g, '--refresh-timeout'],
  [/\bonlyStage\b/g, '--stage'],
];

/** Rewrites a library message so that it names CLI flags. */
export function toCliMessage(message: string): string {
  let text = message;
  for (const [pattern, replacement] of LIBRARY_TO_FLAG) text = text.replace(pattern, replacement);
  return text;
}
