import { GrpcCode, rpcError } from './grpc-status.js';
import type { JsonObject } from './model.js';
import type { Route, RouteContext } from './routing.js';

function bodyOf(context: RouteContext): JsonObject {
  return (context.body ?? {}) as JsonObject;
}

/** The `argocd.token` cookie Argo CD sets on login and on renewal. */
export function sessionCookie(token: string, secure: boolean): string {
  return `argocd.token=${token}; path=/; SameSite=lax; httpOnly${secure ? '; Secure' : ''}`;
}

/** argocd-cm health customisations as `GET /api/v1/settings` reports them (raw Go marshal keys, §1.6 (5)). */
function resourceOverrides(argocdCm: Record<string, string>): JsonObject {
  const overrides: Record<string, JsonObject> = {};
  const prefix = 'resource.customizations.health.';
  for (const [key, script] of Object.entries(argocdCm)) {
    if (!key.startsWith(prefix)) continue;
    const groupKind = key.slice(prefix.length);
    const separator = groupKind.lastIndexOf('_');
    const id =
      separator < 0 ? groupKind : `${groupKind.slice(0, separator)}/${groupKind.slice(separator + 1)}`;
    overrides[id] = { 'health.lua': script };
  }
  return overrides;
}

/** Session, version, settings and account-token routes. */
export const sessionRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/api/v1/session',
    auth: 'optional',
    handler: (context) => {
      const body = bodyOf(context);
      if (typeof body.token === 'string' && body.token) {
        throw rpcError(
          GrpcCode.Unauthenticated,
          'token-based session creation no longer supported. please upgrade argocd cli to v0.7+',
        );
      }
      const username = typeof body.username === 'string' ? body.username : undefined;
      const password = typeof body.password === 'string' ? body.password : undefined;
      const token = context.state.sessions.login(username, password, context.state.clock());
      context.responseHeaders['Set-Cookie'] = sessionCookie(token, context.state.tls);
      return { token };
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/v1/session',
    auth: 'optional',
    // The real Delete only clears the browser cookie; it does not revoke the token.
    handler: (context) => {
      context.responseHeaders['Set-Cookie'] = 'argocd.token=; path=/; Max-Age=0; SameSite=lax; httpOnly';
      return { token: '' };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v1/session/userinfo',
    auth: 'optional',
    handler: ({ principal }) =>
      principal
        ? { loggedIn: true, username: principal.username, iss: 'argocd', groups: [] }
        : { loggedIn: false },
  },
  {
    method: 'GET',
    pattern: '/api/version',
    auth: 'optional',
    handler: ({ principal, state }) =>
      principal
        ? {
            Version: state.version,
            BuildDate: '2026-01-01T00:00:00Z',
            GitCommit: '0000000000000000000000000000000000000000',
            GitTag: state.version.split('+')[0] ?? state.version,
            GitTreeState: 'clean',
            GoVersion: 'go1.24.0',
            Compiler: 'gc',
            Platform: 'linux/amd64',
            KustomizeVersion: 'v5.6.0',
            HelmVersion: 'v3.17.0',
            KubectlVersion: 'v0.32.0',
            JsonnetVersion: 'v0.20.0',
          }
        : { Version: state.version },
  },
  {
    method: 'GET',
    pattern: '/api/v1/settings',
    auth: 'optional',
    handler: ({ principal, state }) => ({
      url: state.url(),
      appLabelKey: 'app.kubernetes.io/instance',
      statusBadgeEnabled: false,
      userLoginsDisabled: false,
      kustomizeVersions: [],
      trackingMethod: 'annotation',
      execEnabled: false,
      appsInAnyNamespaceEnabled: false,
      hydratorEnabled: false,
      syncWithReplaceAllowed: true,
      installationID: 'emulator',
      ...(principal
        ? { resourceOverrides: resourceOverrides(state.argocdCm), controllerNamespace: state.store.namespace }
        : {}),
    }),
  },
  {
    method: 'POST',
    pattern: '/api/v1/account/:name/token',
    auth: 'required',
    handler: (context) => {
      const { params, state, principal } = context;
      if (!state.sessions.hasAccount(params.name ?? '')) {
        throw rpcError(GrpcCode.NotFound, `account '${params.name}' does not exist`);
      }
      if (principal?.username !== 'admin' && principal?.username !== params.name) {
        throw rpcError(GrpcCode.PermissionDenied, 'permission denied');
      }
      const body = bodyOf(context);
      const expiresInSeconds = Number(body.expiresIn ?? 0);
      const id = typeof body.id === 'string' && body.id ? body.id : undefined;
      const token = state.sessions.issue(`${params.name}:apiKey`, state.clock(), expiresInSeconds * 1000, id);
      return { token };
    },
  },
];
