import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeconfigError } from '../errors/kubeconfig-errors.js';
import type { ResolvedKubeconfig } from './load-kubeconfig.js';

/** Where Kubernetes mounts the pod's service account. */
export const SERVICE_ACCOUNT_DIRECTORY = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Options of {@link loadInClusterConfig}. */
export interface InClusterOptions {
  /** Where `token`, `ca.crt` and `namespace` live; default the standard mount. */
  serviceAccountDirectory?: string;
  /** Environment with `KUBERNETES_SERVICE_HOST` / `_PORT`; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Namespace override; default the `namespace` file, else `default`. */
  namespace?: string;
}

/**
 * The in-cluster configuration (client-go `InClusterConfig`): `https://$KUBERNETES_SERVICE_HOST:$PORT`, the
 * service account CA, and the token file, which is re-read because projected tokens rotate.
 *
 * @throws {KubeconfigError} outside a pod (variables unset) or when the CA or token is missing.
 * @example
 * ```ts
 * const config = loadInClusterConfig();
 * ```
 */
export function loadInClusterConfig(options: InClusterOptions = {}): ResolvedKubeconfig {
  const env = options.env ?? process.env;
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new KubeconfigError(
      'not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set',
    );
  }
  const directory = options.serviceAccountDirectory ?? SERVICE_ACCOUNT_DIRECTORY;
  const tokenFile = join(directory, 'token');
  let ca: string;
  try {
    readFileSync(tokenFile, 'utf8');
    ca = readFileSync(join(directory, 'ca.crt'), 'utf8');
  } catch (error) {
    throw new KubeconfigError(`service account files are missing in "${directory}"`, { cause: error });
  }
  let namespace = options.namespace;
  if (!namespace) {
    try {
      namespace = readFileSync(join(directory, 'namespace'), 'utf8').trim() || 'default';
    } catch {
      namespace = 'default';
    }
  }
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    contextName: 'in-cluster',
    clusterName: 'in-cluster',
    userName: undefined,
    server: `https://${hostPart}:${port}`,
    namespace,
    tls: { ca },
    credentials: { type: 'token', tokenFile },
    impersonationHeaders: {},
    files: [],
  };
}
