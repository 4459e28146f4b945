/**
 * The `gitops-flow` exit codes. Stable: pipelines branch on them.
 *
 * | code | meaning |
 * |---|---|
 * | 0 | success (also: nothing to change and the deployment verified) |
 * | 1 | the deployment failed (operation failed, app Degraded, rollback outcome in the report) |
 * | 2 | usage error (unknown command or flag, bad value) — nothing was changed |
 * | 3 | timed out waiting for Argo CD |
 * | 4 | authentication failed (git or Argo CD) |
 * | 5 | any other error (connection, server error, conflict that retries could not resolve) |
 * | 6 | a YAML path does not exist (`values get`, `values set` without `--create-missing`) — nothing was changed |
 * | 130 | interrupted (SIGINT/SIGTERM); no push happens after the interrupt |
 */
export const ExitCode = Object.freeze({
  success: 0,
  deploymentFailed: 1,
  usage: 2,
  timeout: 3,
  authentication: 4,
  error: 5,
  pathNotFound: 6,
  interrupted: 130,
});

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
