import type { CallOptions } from '../client/client-options.js';
import type { Application } from '../schemas/application-schema.js';
import { assertResourceName, parseApplicationName } from '../validation/names.js';

/** Options that say which application a call addresses. */
export interface ApplicationScopeOptions extends CallOptions {
  /**
   * The application's project. Sent on every call so a missing application is a 404 rather than a 403 (Argo CD hides
   * existence from callers that do not name the project). Remembered from earlier responses when omitted.
   */
  project?: string | undefined;
  /** The application's namespace (apps in any namespace); `ns/name` names work too. */
  appNamespace?: string | undefined;
}

/** A resolved application address. */
export interface ApplicationScope {
  name: string;
  appNamespace: string | undefined;
  project: string | undefined;
}

const MAXIMUM_REMEMBERED_PROJECTS = 10_000;

/**
 * Remembers each application's project from responses, so later calls can send `project` (and get a 404 for a
 * missing app) without the caller repeating it. Bounded: the oldest entries are forgotten first.
 */
export class ProjectMemory {
  readonly #projects = new Map<string, string>();

  /** Records the project of an application seen in a response. */
  remember(app: Pick<Application, 'metadata' | 'spec'> | undefined): void {
    const name = app?.metadata?.name;
    const project = app?.spec?.project;
    if (!name || !project) return;
    const key = `${app.metadata.namespace ?? ''}/${name}`;
    this.#projects.delete(key);
    this.#projects.set(key, project);
    if (this.#projects.size > MAXIMUM_REMEMBERED_PROJECTS) {
      const oldest = this.#projects.keys().next().value;
      if (oldest !== undefined) this.#projects.delete(oldest);
    }
  }

  /** The remembered project of `name` in `appNamespace` (or in any namespace when only one matches). */
  lookup(name: string, appNamespace: string | undefined): string | undefined {
    if (appNamespace !== undefined) return this.#projects.get(`${appNamespace}/${name}`);
    const direct = this.#projects.get(`/${name}`);
    if (direct) return direct;
    let found: string | undefined;
    for (const [key, project] of this.#projects) {
      if (key.endsWith(`/${name}`)) {
        if (found !== undefined && found !== project) return undefined;
        found = project;
      }
    }
    return found;
  }

  /** Resolves and validates the address of a call. */
  resolve(nameOrQualified: string, options: ApplicationScopeOptions | undefined): ApplicationScope {
    const { name, appNamespace } = parseApplicationName(nameOrQualified, options?.appNamespace);
    if (options?.project !== undefined) assertResourceName(options.project, 'project');
    return { name, appNamespace, project: options?.project ?? this.lookup(name, appNamespace) };
  }
}
