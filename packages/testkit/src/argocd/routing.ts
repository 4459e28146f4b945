import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClusterRegistry } from './clusters.js';
import type { ApplicationController } from './controller.js';
import type { FaultRegistry } from './faults.js';
import type { GitAccess, GitRevisionReader } from './git-revisions.js';
import type { PodLogStore } from './pod-logs.js';
import type { EmulatorPrincipal, SessionManager } from './sessions.js';
import type { ArgoCDStore } from './store.js';

/** Shared state every route handler can reach. */
export interface EmulatorState {
  store: ArgoCDStore;
  clusters: ClusterRegistry;
  podLogs: PodLogStore;
  sessions: SessionManager;
  controller: ApplicationController;
  git: GitRevisionReader;
  faults: FaultRegistry;
  clock: () => number;
  argocdCm: Record<string, string>;
  version: string;
  url: () => string;
  /** Credentials for a repository URL, from the registered repositories. */
  repositoryAccess: (repoURL: string) => GitAccess;
  keepAliveIntervalMs: number;
  tls: boolean;
  /** Open streams, closed on stop. */
  openStreams: Set<ServerResponse>;
}

/** One request as a handler sees it. */
export interface RouteContext {
  state: EmulatorState;
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  principal: EmulatorPrincipal | undefined;
  request: IncomingMessage;
  response: ServerResponse;
  /** Headers every response to this request carries (token renewal). */
  responseHeaders: Record<string, string | string[]>;
}

/** Returned by stream handlers that wrote the response themselves. */
export const STREAMED: unique symbol = Symbol('streamed');

export type RouteHandler = (context: RouteContext) => Promise<unknown> | unknown;

/** A REST route; `auth: 'optional'` routes run for anonymous callers too (session, settings, version). */
export interface Route {
  method: string;
  pattern: string;
  auth: 'required' | 'optional';
  handler: RouteHandler;
}

interface CompiledRoute extends Route {
  segments: string[];
  literalCount: number;
}

/** Matches `/api/v1/applications/:name/sync`-style patterns; literal segments beat parameters. */
export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(...routes: Route[]): void {
    for (const route of routes) {
      const segments = route.pattern.split('/').filter(Boolean);
      this.routes.push({
        ...route,
        segments,
        literalCount: segments.filter((segment) => !segment.startsWith(':')).length,
      });
    }
    this.routes.sort((a, b) => b.literalCount - a.literalCount);
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    const segments = path.split('/').filter(Boolean);
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const matched = route.segments.every((expected, index) => {
        const actual = segments[index] ?? '';
        if (expected.startsWith(':')) {
          try {
            params[expected.slice(1)] = decodeURIComponent(actual);
          } catch {
            return false;
          }
          return actual.length > 0;
        }
        return expected === actual;
      });
      if (matched) return { route, params };
    }
    return undefined;
  }
}
