import type { ServerResponse } from 'node:http';
import { sendJson } from './http-util.js';
import { statusError } from './kube-status.js';
import { presentationOf } from './resource-presentation.js';
import { RESOURCE_TYPES, type ResourceType } from './resource-types.js';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function resourceList(groupVersion: string, types: ResourceType[]): unknown {
  const resources = types.flatMap((type) => {
    const presentation = presentationOf(type);
    const main: Record<string, unknown> = {
      name: type.plural,
      singularName: type.kind.toLowerCase(),
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: VERBS,
    };
    // Discovery omits empty shortNames and categories (omitempty in metav1.APIResource).
    if (presentation.shortNames.length > 0) main['shortNames'] = presentation.shortNames;
    if (presentation.categories.length > 0) main['categories'] = presentation.categories;
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
 * The `/version` answer (version.Info). `platform` is that of the cluster the emulator stands for, not of the
 * machine running the tests: clients (kubectl version, tkn) print it and some pick images by it.
 */
const VERSION_INFO = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0-kube-emulator',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-04-23T00:00:00Z',
  goVersion: 'go1.24.2',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/**
 * Answers the discovery endpoints (`/version`, `/api`, `/api/v1`, `/apis`, `/apis/<group>/<version>`) for the
 * served types, enough for clients that discover the preferred version (as tkn does).
 *
 * @throws KubeEmulatorStatusError 404 for an unknown group/version.
 */
export function handleDiscovery(path: string, response: ServerResponse): void {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '/version') {
    sendJson(response, 200, VERSION_INFO);
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
