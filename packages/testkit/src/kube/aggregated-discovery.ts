import type { IncomingMessage, ServerResponse } from 'node:http';
import { presentationOf } from './resource-presentation.js';
import { RESOURCE_TYPES, type ResourceType } from './resource-types.js';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The aggregated discovery version `Accept` asks for first (`v2`, or `v2beta1` as older clients ask). */
function requestedVersion(request: IncomingMessage): 'v2' | 'v2beta1' | undefined {
  for (const entry of (request.headers.accept ?? '').split(',')) {
    const [mediaType, ...parameterTexts] = entry.split(';').map((part) => part.trim());
    if (mediaType !== 'application/json') continue;
    const parameters = new Map(
      parameterTexts.map((text) => text.split('=').map((part) => part.trim()) as [string, string]),
    );
    if (parameters.get('as') !== 'APIGroupDiscoveryList' || parameters.get('g') !== 'apidiscovery.k8s.io')
      return undefined;
    const version = parameters.get('v');
    if (version === 'v2' || version === 'v2beta1') return version;
  }
  return undefined;
}

function resourceEntry(type: ResourceType): Record<string, unknown> {
  const presentation = presentationOf(type);
  const responseKind = { group: type.group, version: type.version, kind: type.kind };
  const entry: Record<string, unknown> = {
    resource: type.plural,
    responseKind,
    scope: type.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: type.kind.toLowerCase(),
    verbs: VERBS,
  };
  if (presentation.shortNames.length > 0) entry['shortNames'] = presentation.shortNames;
  if (presentation.categories.length > 0) entry['categories'] = presentation.categories;
  const subresources = [];
  if (type.statusSubresource)
    subresources.push({ subresource: 'status', responseKind, verbs: ['get', 'patch', 'update'] });
  if (type.kind === 'Pod')
    subresources.push({
      subresource: 'log',
      responseKind: { group: '', version: 'v1', kind: 'Pod' },
      verbs: ['get'],
    });
  if (subresources.length > 0) entry['subresources'] = subresources;
  return entry;
}

/**
 * Answers `/api` and `/apis` with an aggregated discovery document (`apidiscovery.k8s.io` `APIGroupDiscoveryList`:
 * every group, version and resource in one answer) when the client asks for it, as kubectl 1.30+ does first;
 * returns false to let the legacy `APIVersions`/`APIGroupList` answer otherwise. `/api` lists the core group,
 * `/apis` the named groups, as the API server splits them.
 */
export function handleAggregatedDiscovery(
  path: string,
  request: IncomingMessage,
  response: ServerResponse,
): boolean {
  const version = requestedVersion(request);
  const trimmed = path.replace(/\/+$/, '');
  if (version === undefined || (trimmed !== '/api' && trimmed !== '/apis')) return false;
  const core = trimmed === '/api';
  const groups = new Map<string, Map<string, ResourceType[]>>();
  for (const type of RESOURCE_TYPES) {
    if ((type.group === '') !== core) continue;
    const versions = groups.get(type.group) ?? new Map<string, ResourceType[]>();
    versions.set(type.version, [...(versions.get(type.version) ?? []), type]);
    groups.set(type.group, versions);
  }
  const items = [...groups].map(([group, versions]) => ({
    metadata: { name: group, creationTimestamp: null },
    versions: [...versions].map(([name, types]) => ({
      version: name,
      resources: types.map(resourceEntry),
      freshness: 'Current',
    })),
  }));
  const mediaType = `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
  const json = JSON.stringify({
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items,
  });
  // The answer's media type says which form it is; client-go falls back to the legacy answer by it.
  response.writeHead(200, {
    'content-type': mediaType,
    'content-length': String(Buffer.byteLength(json)),
    vary: 'Accept',
  });
  response.end(json);
  return true;
}
