/** What kind of problem a {@link TektonValidationIssue} describes. */
export type TektonIssueCode =
  | 'schema'
  | 'unsupported-kind'
  | 'duplicate-task'
  | 'unknown-run-after'
  | 'cycle'
  | 'finally-run-after'
  | 'finally-without-tasks'
  | 'unknown-param'
  | 'unknown-task-reference'
  | 'unknown-result'
  | 'unknown-workspace'
  | 'unbound-workspace'
  | 'missing-param'
  | 'param-type-mismatch'
  | 'unsupported-api-version'
  | 'unknown-field'
  | 'invalid-duration'
  | 'task-ref-or-spec'
  | 'duplicate-step'
  | 'invalid-result-name';

/** One problem found in a Tekton document, with the path to the offending field. */
export interface TektonValidationIssue {
  code: TektonIssueCode;
  /** Path from the document root, e.g. `['spec', 'tasks', 2, 'runAfter', 0]`. */
  path: Array<string | number>;
  message: string;
}

/** Names visible to `$(...)` variables at some point of a document. */
export interface Scope {
  params: Set<string>;
  workspaces: Set<string>;
  /** Pipeline task names and their declared results (undefined when not knowable, e.g. taskRef). */
  tasks?: Map<string, Set<string> | undefined>;
  finallyTasks?: Map<string, Set<string> | undefined>;
}
