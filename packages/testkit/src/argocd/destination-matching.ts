import type { ClusterRegistry, EmulatedCluster } from './clusters.js';
import type { AppProject } from './model.js';

function escapeRegExp(text: string): string {
  return text.replace(/[.+^$()|\\/]/g, '\\$&');
}

/**
 * gobwas/glob, the matcher behind Argo CD's project globs: `*`, `?`, `[…]`, `{a,b}`; with a separator (source
 * repositories use `/`) `*` and `?` stay within one segment and `**` crosses them.
 */
function globToRegExp(pattern: string, separator?: string): RegExp {
  const notSeparator = separator ? `[^${escapeRegExp(separator)}]` : '.';
  let source = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const character = pattern[index] as string;
    if (character === '*' && pattern[index + 1] === '*') {
      source += '.*';
      index += 1;
    } else if (character === '*') source += `${notSeparator}*`;
    else if (character === '?') source += notSeparator;
    else if (character === '[') {
      const end = pattern.indexOf(']', index + 1);
      if (end < 0) source += '\\[';
      else {
        const body = pattern.slice(index + 1, end);
        source += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        index = end;
      }
    } else if (character === '{') {
      const end = pattern.indexOf('}', index + 1);
      if (end < 0) source += '\\{';
      else {
        source += `(?:${pattern
          .slice(index + 1, end)
          .split(',')
          .map((alternative) => globToRegExp(alternative, separator).source.slice(1, -1))
          .join('|')})`;
        index = end;
      }
    } else source += escapeRegExp(character);
  }
  return new RegExp(`^${source}$`);
}

function isDenyPattern(pattern: string | undefined): boolean {
  return (pattern ?? '').startsWith('!');
}

/** pkg/apis/application/v1alpha1 globMatch: `*` matches anything, `!pattern` negates when allowed. */
export function globMatch(
  pattern: string | undefined,
  value: string,
  allowNegation: boolean,
  separator?: string,
): boolean {
  const text = pattern ?? '';
  if (allowNegation && isDenyPattern(text)) return !globToRegExp(text.slice(1), separator).test(value);
  if (text === '*') return true;
  return globToRegExp(text, separator).test(value);
}

/**
 * AppProject.isDestinationMatched: a project destination matches when the cluster's server **or** its name
 * matches (a pattern left empty matches only an empty value) and the namespace matches; deny patterns (`!…`)
 * that fail reject the destination outright.
 */
export function isDestinationPermitted(
  project: AppProject,
  cluster: EmulatedCluster,
  namespace: string,
): boolean {
  const name = cluster.name ?? '';
  let anyMatched = false;
  for (const item of project.spec.destinations ?? []) {
    const nameMatched = name !== '' && globMatch(item.name, name, true);
    const serverMatched = cluster.server !== '' && globMatch(item.server, cluster.server, true);
    const namespaceMatched = globMatch(item.namespace, namespace, true);
    if ((serverMatched || nameMatched) && namespaceMatched) anyMatched = true;
    else if (
      (!nameMatched && isDenyPattern(item.name)) ||
      (!serverMatched && isDenyPattern(item.server) && namespaceMatched)
    )
      return false;
    else if (!namespaceMatched && isDenyPattern(item.namespace) && serverMatched) return false;
  }
  return anyMatched;
}

/**
 * util/argo GetDestinationCluster: exactly one of `server` (trailing slashes trimmed) or `name`, resolved against
 * the known clusters. Returns the cluster or the error text Argo CD reports.
 */
export function resolveDestinationCluster(
  destination: { server?: string; name?: string } | undefined,
  clusters: ClusterRegistry,
): { cluster: EmulatedCluster } | { error: string } {
  const name = destination?.name ?? '';
  const server = destination?.server ?? '';
  if (name !== '' && server !== '')
    return { error: `application destination can't have both name and server defined: ${name} ${server}` };
  if (server !== '') {
    const trimmed = server.replace(/\/+$/, '');
    const cluster = clusters.byServer(trimmed);
    if (!cluster)
      return {
        error: `error getting cluster by server "${server}": rpc error: code = NotFound desc = cluster "${trimmed}" not found`,
      };
    return { cluster };
  }
  if (name !== '') {
    const matches = clusters.byName(name);
    if (matches.length === 0) return { error: `there are no clusters with this name: ${name}` };
    if (matches.length > 1)
      return {
        error: `there are ${matches.length} clusters with the same name: [${matches.map((c) => c.server).join(' ')}]`,
      };
    return { cluster: matches[0] as EmulatedCluster };
  }
  return { error: 'Destination server missing from app spec' };
}

/**
 * AppProject.IsSourcePermitted: URLs normalised like util/git NormalizeGitURL (lower case, no `.git` suffix), `/`
 * as the glob separator; any allow pattern matches and no deny pattern fails.
 */
export function isSourcePermitted(project: AppProject, repoURL: string): boolean {
  const normalize = (url: string) =>
    url
      .trim()
      .toLowerCase()
      .replace(/\.git$/, '');
  const source = normalize(repoURL);
  let anyMatched = false;
  for (const pattern of project.spec.sourceRepos ?? []) {
    const normalized = isDenyPattern(pattern) ? `!${normalize(pattern.slice(1))}` : normalize(pattern);
    const matched = globMatch(normalized, source, true, '/');
    if (matched) anyMatched = true;
    else if (isDenyPattern(normalized)) return false;
  }
  return anyMatched;
}
