import { readFileSync } from 'node:fs';
import type { ArgoCDClientOptions } from '@gitops-kit/argocd-client';
import { type Logger, ValidationError } from '@gitops-kit/core';
import { type ParsedArguments, stringFlag } from './argument-parser.js';
import { readSecretEnvironment, readSecretFile } from './secret-sources.js';

/** The flags every Argo CD command accepts. */
export const ARGOCD_FLAGS = {
  'argocd-server': { type: 'string' },
  'argocd-token-file': { type: 'string' },
  'argocd-username': { type: 'string' },
  'argocd-password-file': { type: 'string' },
  'argocd-ca-file': { type: 'string' },
  'argocd-insecure-skip-verify': { type: 'boolean' },
  'argocd-plaintext': { type: 'boolean' },
} as const;

/**
 * Builds Argo CD client options from flags and the environment, as the argocd CLI reads them: `--argocd-server`
 * or `ARGOCD_SERVER`; a token from `--argocd-token-file` or `ARGOCD_AUTH_TOKEN`; or a username with a password
 * from `--argocd-password-file` (as Tekton mounts secrets) or `ARGOCD_PASSWORD`. Secrets never come from argv.
 *
 * @throws {ValidationError} when the server or credentials are missing.
 */
export function argocdOptionsFromArguments(
  values: ParsedArguments['values'],
  env: NodeJS.ProcessEnv,
  logger: Logger,
): ArgoCDClientOptions {
  const server = stringFlag(values, 'argocd-server') ?? env.ARGOCD_SERVER;
  if (!server) {
    throw new ValidationError('The Argo CD server is required: --argocd-server URL or ARGOCD_SERVER', {
      field: 'argocd-server',
    });
  }
  const tokenFile = stringFlag(values, 'argocd-token-file');
  const passwordFile = stringFlag(values, 'argocd-password-file');
  const username = stringFlag(values, 'argocd-username') ?? env.ARGOCD_USERNAME;
  let auth: ArgoCDClientOptions['auth'];
  if (tokenFile) {
    auth = { token: readSecretFile(tokenFile, '--argocd-token-file') };
  } else if (passwordFile || (username && env.ARGOCD_PASSWORD)) {
    if (!username) {
      throw new ValidationError('--argocd-password-file needs --argocd-username (or ARGOCD_USERNAME)', {
        field: 'argocd-username',
      });
    }
    const password = passwordFile
      ? readSecretFile(passwordFile, '--argocd-password-file')
      : (readSecretEnvironment(env, 'ARGOCD_PASSWORD') as string);
    auth = { username, password };
  } else {
    const token = readSecretEnvironment(env, 'ARGOCD_AUTH_TOKEN');
    if (token) auth = { token };
  }
  if (!auth) {
    throw new ValidationError(
      'Argo CD credentials are required: ARGOCD_AUTH_TOKEN, --argocd-token-file, or --argocd-username with --argocd-password-file',
      { field: 'argocd-auth' },
    );
  }
  const caFile = stringFlag(values, 'argocd-ca-file');
  const insecure = values['argocd-insecure-skip-verify'] === true;
  const plaintext = values['argocd-plaintext'] === true;
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch {
      throw new ValidationError('--argocd-ca-file: cannot read the CA bundle', { field: 'argocd-ca-file' });
    }
  }
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
