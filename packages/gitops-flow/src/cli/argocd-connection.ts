import { readFileSync } from 'node:fs';
import type { ArgoCDClientOptions } from '@gitops-kit/argocd-client';
import type { Logger } from '@gitops-kit/core';
import { type FlagValues, stringValue } from './framework/parse-flags.js';
import type { UsageProblems } from './framework/usage-error.js';
import { readSecretEnvironment, readSecretFile } from './secret-sources.js';

/** Every way the CLI accepts Argo CD credentials, for the message that says none was given. */
export const ARGOCD_CREDENTIAL_SOURCES =
  'Argo CD credentials are required: --argocd-token-file PATH or ARGOCD_AUTH_TOKEN, or --argocd-username ' +
  '(or ARGOCD_USERNAME) with --argocd-password-file PATH or ARGOCD_PASSWORD';

/**
 * Builds Argo CD client options from flags and the environment, as the argocd CLI reads them: `--argocd-server`
 * or `ARGOCD_SERVER`; a token from `--argocd-token-file` or `ARGOCD_AUTH_TOKEN`; or a username with a password
 * from `--argocd-password-file` (as Tekton mounts secrets) or `ARGOCD_PASSWORD`. Secrets never come from argv.
 * Every problem is added to `problems` (all are reported together); the result is undefined when there was one.
 */
export function argocdOptionsFromArguments(
  values: FlagValues,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  problems: UsageProblems,
): ArgoCDClientOptions | undefined {
  const before = problems.count;
  const server = stringValue(values, 'argocd-server') ?? env.ARGOCD_SERVER;
  if (!server) problems.add('the Argo CD server is required: --argocd-server URL or ARGOCD_SERVER');
  const tokenFile = stringValue(values, 'argocd-token-file');
  const passwordFile = stringValue(values, 'argocd-password-file');
  const username = stringValue(values, 'argocd-username') ?? env.ARGOCD_USERNAME;
  let auth: ArgoCDClientOptions['auth'];
  if (tokenFile) {
    const token = problems.attempt(() => readSecretFile(tokenFile, '--argocd-token-file'), undefined);
    if (token) auth = { token };
  } else if (passwordFile || (username && env.ARGOCD_PASSWORD)) {
    if (!username) {
      problems.add('--argocd-password-file needs --argocd-username (or ARGOCD_USERNAME)');
    } else {
      const password = passwordFile
        ? problems.attempt(() => readSecretFile(passwordFile, '--argocd-password-file'), undefined)
        : readSecretEnvironment(env, 'ARGOCD_PASSWORD');
      if (password) auth = { username, password };
    }
  } else {
    const token = readSecretEnvironment(env, 'ARGOCD_AUTH_TOKEN');
    if (token) auth = { token };
    else problems.add(ARGOCD_CREDENTIAL_SOURCES);
  }
  const caFile = stringValue(values, 'argocd-ca-file');
  const insecure = values['argocd-insecure-skip-verify'] === true;
  const plaintext = values['argocd-plaintext'] === true;
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (error) {
      problems.add(
        `--argocd-ca-file: cannot read the CA bundle (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      );
    }
  }
  if (problems.count > before || !server || !auth) return undefined;
  const base = plaintext && !/^[a-z]+:\/\//i.test(server) ? `http://${server}` : server;
  return {
    server: base,
    auth,
    logger,
    ...(ca || insecure
      ? { tls: { ...(ca ? { ca } : {}), ...(insecure ? { insecureSkipVerify: true } : {}) } }
      : {}),
  };
}
