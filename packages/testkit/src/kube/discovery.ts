import type { ServerResponse } from 'node:http';
import { sendJson } from './http-util.js';
import { statusError } from './kube-status.js';
import { RESOURCE_TYPES, type ResourceType } from './resource-types.js';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function resourceList(groupVersion: string, types: ResourceType[]): unknown {
  const resources = types.flatMap((type) => {
    const main = {
      name: type.plural,
      singularName: type.kind.toLowerCase(),
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: VERBS,
    };
    const extra = [];
    if (type.statusSubresource)
      extra.push({
        name: `${type.plural}/status`,
        singularName: '',
        namespaced: type.namespaced,
        kind: type.kind,
        verbs: ['get', 'patch', 'update'],
      });
    if (type.kind === 'Pod')
      extra.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
    return [main, ...extra];
  });
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}

/**
 * Answers the discovery endpoints (`/version`, `/api`, `/api/v1`, `/apis`, `/apis/<group>/<version>`) for the
 * served types, enough for clients that discover the preferred version (as tkn does).
 *
 * @throws KubeEmulatorStatusError 404 for an unknown group/version.
 */
export function handleDiscovery(path: string, response: ServerResponse): void {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '/version') {
    sendJson(response, 200, {
      major: '1',
      minor: '33',
      gitVersion: 'v1.33.0-kube-emulator',
      platform: `${process.platform}/${process.arch}`,
    });
    return;
  }
  if (trimmed === '/api') {
    sendJson(response, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    return;
  }
  if (trimmed === '/api/v1') {
    sendJson(
      response,
      200,
      resourceList(
        'v1',
        RESOURCE_TYPES.filter((type) => type.group === ''),
      ),
    );
    return;
  }
  const groups = new Map<string, string[]>();
  for (const type of RESOURCE_TYPES) {
    if (type.group === '') continue;
    const versions = groups.get(type.group) ?? [];
    if (!versions.includes(type.version)) versions.push(type.version);
    groups.set(type.group, versions);
  }
  if (trimmed === '/apis') {
    const list = [...groups].map(([name, versions]) => {
      const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
      return { name, versions: entries, preferredVersion: entries[0] };
    });
    sendJson(response, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: list });
    return;
  }
  const match = /^\/apis\/([^/]+)\/([^/]+)$/.exec(trimmed);
  const group = match?.[1];
  const version = match?.[2];
  const types = RESOURCE_TYPES.filter((type) => type.group === group && type.version === version);
  if (types.length > 0) {
    sendJson(response, 200, resourceList(`${group}/${version}`, types));
    return;
  }
  throw statusError(404, 'NotFound', 'the server could not find the requested resource');
}
