/** A `REPO=PATH` flag value split into the repository URL and the file path. */
export interface RepositoryAssignment {
  /** The repository URL, or `undefined` when the value has no `=` after a non-empty start. */
  url: string | undefined;
  path: string;
}

/**
 * Splits a `REPO=PATH` value (`--git-ssh-key-file-for`, `--git-password-file-for`, `--git-token-file-for`) after
 * the longest known repository URL it starts with: a repository URL may hold `=` (git allows it in paths, and an
 * http(s) URL in its query), and so may the file's path. When no known URL matches, the split is at the first `=`,
 * and the caller's check that the URL is a stages repository reports it.
 */
export function splitRepositoryAssignment(text: string, knownUrls: Iterable<string>): RepositoryAssignment {
  let known: string | undefined;
  for (const candidate of knownUrls) {
    if (text.startsWith(`${candidate}=`) && (known === undefined || candidate.length > known.length)) {
      known = candidate;
    }
  }
  const equals = known === undefined ? text.indexOf('=') : known.length;
  if (equals <= 0) return { url: undefined, path: '' };
  return { url: text.slice(0, equals), path: text.slice(equals + 1) };
}
