import { stringify } from 'yaml';

/** How the generated kubeconfig authenticates. */
export type KubeconfigAuth = 'token' | 'client-certificate' | 'basic';

/** Inputs of `renderKubeconfig`. */
export interface KubeconfigInput {
  server: string;
  namespace: string;
  contextName: string;
  auth: KubeconfigAuth;
  token?: string;
  ca?: string;
  clientCertificate?: { certificate: string; key: string };
  basicAuth?: { username: string; password: string };
}

const base64 = (text: string): string => Buffer.from(text).toString('base64');

/**
 * Renders a single-context kubeconfig (cluster `kube-emulator`, user `kube-emulator-user`) with the CA and
 * client certificate inlined as `*-data` fields.
 *
 * @example
 * ```ts
 * renderKubeconfig({ server: 'https://127.0.0.1:6443', namespace: 'ci', contextName: 'emulator', auth: 'token', token: 't' });
 * ```
 */
export function renderKubeconfig(input: KubeconfigInput): string {
  const cluster: Record<string, unknown> = { server: input.server };
  if (input.ca !== undefined) cluster['certificate-authority-data'] = base64(input.ca);
  const user: Record<string, unknown> = {};
  if (input.auth === 'token' && input.token !== undefined) user['token'] = input.token;
  if (input.auth === 'client-certificate' && input.clientCertificate !== undefined) {
    user['client-certificate-data'] = base64(input.clientCertificate.certificate);
    user['client-key-data'] = base64(input.clientCertificate.key);
  }
  if (input.auth === 'basic' && input.basicAuth !== undefined) {
    user['username'] = input.basicAuth.username;
    user['password'] = input.basicAuth.password;
  }
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: 'kube-emulator', cluster }],
    users: [{ name: 'kube-emulator-user', user }],
    contexts: [
      {
        name: input.contextName,
        context: { cluster: 'kube-emulator', user: 'kube-emulator-user', namespace: input.namespace },
      },
    ],
    'current-context': input.contextName,
  });
}
