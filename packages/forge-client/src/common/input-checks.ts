import { ValidationError } from '@gitops-kit/core';
import type { ChangeRequestRef, ProjectRef } from './change-request.js';

/** A project path (`group/sub/project`), an `owner/repo`, or a positive numeric id. */
export function assertProject(project: ProjectRef): void {
  if (typeof project === 'number') {
    if (Number.isSafeInteger(project) && project > 0) return;
  } else if (
    typeof project === 'string' &&
    /^[\w.-]+(\/[\w.-]+)*$/.test(project) &&
    !project.split('/').some((part) => part === '..' || part === '.')
  ) {
    return;
  }
  throw new ValidationError(
    `project must be a path such as "team/deploy" or a numeric id, got ${JSON.stringify(project)}`,
  );
}

/** A change request reference: a valid project and a positive number. */
export function assertChangeRequestRef(ref: ChangeRequestRef): void {
  assertProject(ref.project);
  if (!Number.isSafeInteger(ref.number) || ref.number <= 0) {
    throw new ValidationError(
      `change request number must be a positive integer, got ${JSON.stringify(ref.number)}`,
    );
  }
}

/** A branch name git would accept (the rules of `git check-ref-format --branch`, the common subset). */
export function assertBranchName(branch: string, what: string): void {
  const valid =
    typeof branch === 'string' &&
    branch !== '' &&
    !branch.startsWith('-') &&
    !branch.startsWith('/') &&
    !branch.endsWith('/') &&
    !branch.endsWith('.') &&
    !branch.endsWith('.lock') &&
    !branch.includes('..') &&
    !branch.includes('//') &&
    !branch.includes('@{') &&
    !/[\x00-\x20\x7f~^:?*[\\]/.test(branch);
  if (!valid) throw new ValidationError(`${what} is not a valid branch name: ${JSON.stringify(branch)}`);
}
