import type { KubeVerb } from './fault-injection.js';
import { findResourceType, type ResourceType } from './resource-types.js';

/** A request path resolved to a resource (or another endpoint). */
export type ApiRoute =
  | {
      kind: 'resource';
      type: ResourceType;
      namespace: string | undefined;
      name: string | undefined;
      subresource: string | undefined;
      verb: KubeVerb;
    }
  | { kind: 'discovery'; path: string }
  | { kind: 'openapi'; path: string }
  | { kind: 'health' }
  | { kind: 'eventlistener'; namespace: string; name: string }
  | { kind: 'unknown' };

/** Path prefix under which EventListener sinks are served. */
export const EVENT_LISTENER_PREFIX = '/eventlisteners/';

function verbFor(
  method: string,
  query: URLSearchParams,
  name: string | undefined,
  subresource: string | undefined,
): KubeVerb {
  const watch = query.get('watch');
  switch (method) {
    case 'GET':
      if (subresource === 'log') return 'log';
      if (name !== undefined) return 'get';
      return watch === 'true' || watch === '1' ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return name === undefined ? 'deletecollection' : 'delete';
    default:
      return 'get';
  }
}

/**
 * Resolves a URL path and method to a route: `/api/v1/...` and `/apis/<group>/<version>/...` for resources,
 * namespaced (`namespaces/<ns>/<plural>[/<name>[/<subresource>]]`) or cluster-wide (`<plural>[/<name>]`).
 *
 * @example
 * ```ts
 * resolveRoute('GET', '/apis/tekton.dev/v1/namespaces/ci/pipelineruns', new URLSearchParams('watch=1'));
 * ```
 */
export function resolveRoute(method: string, path: string, query: URLSearchParams): ApiRoute {
  if (path === '/healthz' || path === '/readyz' || path === '/livez') return { kind: 'health' };
  if (path === '/openapi/v2' || path === '/openapi/v3' || path.startsWith('/openapi/v3/'))
    return { kind: 'openapi', path };
  if (path.startsWith(EVENT_LISTENER_PREFIX)) {
    const [namespace, name] = path.slice(EVENT_LISTENER_PREFIX.length).split('/').map(decodeURIComponent);
    if (namespace !== undefined && name !== undefined && name !== '')
      return { kind: 'eventlistener', namespace, name };
    return { kind: 'unknown' };
  }
  const segments = path
    .split('/')
    .filter((segment) => segment !== '')
    .map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api') {
    if (segments.length <= 2) return { kind: 'discovery', path };
    group = '';
    version = segments[1] ?? '';
    rest = segments.slice(2);
  } else if (segments[0] === 'apis') {
    if (segments.length <= 3) return { kind: 'discovery', path };
    group = segments[1] ?? '';
    version = segments[2] ?? '';
    rest = segments.slice(3);
  } else if (path === '/version') return { kind: 'discovery', path };
  else return { kind: 'unknown' };

  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource] = rest;
  const type = plural === undefined ? undefined : findResourceType(group, version, plural);
  if (type === undefined || rest.length > 3) return { kind: 'unknown' };
  if (!type.namespaced && namespace !== undefined) return { kind: 'unknown' };
  return {
    kind: 'resource',
    type,
    namespace,
    name,
    subresource,
    verb: verbFor(method, query, name, subresource),
  };
}
