import { ValidationError } from '@gitops-kit/core';
import { PathOutsideRepoError } from './errors.js';

/**
 * Checks a repository-relative file path and splits it into segments. Only plain relative POSIX paths pass:
 * no absolute paths (`/x`, `C:\x`), no `.`/`..`/empty segments, no NUL, no backslash, nothing under `.git`.
 * (Symbolic links and submodules are checked against the tree when the file is read.)
 *
 * @throws PathOutsideRepoError for a path that would leave the repository or reach into `.git`.
 * @example
 * ```ts
 * assertRepoRelativePath('helm/values.yaml'); // ['helm', 'values.yaml']
 * ```
 */
export function assertRepoRelativePath(file: string): string[] {
  const reject = (why: string): never => {
    // `file` may be anything a JavaScript caller passed: quoted through String(), never assumed a string.
    throw new PathOutsideRepoError(
      `file ${JSON.stringify(String(file).slice(0, 200))} is not allowed: ${why}`,
      {
        file: String(file),
      },
    );
  };
  if (typeof file !== 'string') return reject('it is not a string');
  if (file.length === 0) return reject('it is empty');
  if (file.includes('\0')) return reject('it contains a NUL byte');
  if (file.includes('\\')) return reject('it contains a backslash; use forward slashes');
  if (file.startsWith('/') || /^[A-Za-z]:/.test(file))
    return reject('it is absolute; give a path inside the repository');
  const segments = file.split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.') return reject('it has an empty or "." segment');
    if (segment === '..') return reject('it climbs out with ".."');
    if (segment.toLowerCase() === '.git') return reject('it points into .git');
  }
  return segments;
}

/**
 * Checks a branch name against git's ref-name rules (git-check-ref-format(1)) before it is sent anywhere.
 *
 * @throws ValidationError when the name is not a valid branch name.
 */
export function assertBranchName(branch: string, field = 'branch'): void {
  const invalid = (why: string): never => {
    throw new ValidationError(
      `${field} ${JSON.stringify(String(branch).slice(0, 200))} is not a valid branch name: ${why}`,
      {
        field,
      },
    );
  };
  if (typeof branch !== 'string') invalid('it is not a string');
  if (branch.length === 0) invalid('it is empty');
  if (branch.length > 255) invalid('it is longer than 255 characters');
  if (branch.startsWith('refs/')) invalid('give the short name (main), not refs/heads/main');
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(branch))
    invalid('it contains a space, control character or one of ~^:?*[\\');
  if (branch.startsWith('-') || branch.startsWith('/') || branch.endsWith('/') || branch.endsWith('.')) {
    invalid('it starts with - or /, or ends with / or .');
  }
  if (branch.includes('..') || branch.includes('//') || branch.includes('@{') || branch === '@') {
    invalid('it contains "..", "//" or "@{"');
  }
  for (const component of branch.split('/')) {
    if (component.startsWith('.') || component.endsWith('.lock'))
      invalid('a component starts with . or ends with .lock');
  }
}
