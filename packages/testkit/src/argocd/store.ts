import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Application, AppProject, JsonObject, Repository } from './model.js';
import { formatKubeTime } from './model.js';

/** A change to one application, as the watch stream reports it. */
export interface ApplicationChange {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  application: Application;
}

/** The resource tree the controller last published for an application. */
export interface ApplicationTree {
  nodes: JsonObject[];
  hosts?: JsonObject[];
}

/** An Argo CD event (k8s Event shape) recorded for an application. */
export interface RecordedEvent {
  reason: string;
  message: string;
  type: 'Normal' | 'Warning';
  at: number;
  /** The resource the event is about; absent for events about the Application itself. */
  involvedObject?: { apiVersion: string; kind: string; name: string; namespace: string; uid: string };
}

/**
 * In-memory Argo CD state: applications, projects, repositories, trees and events, with one global
 * resourceVersion counter like a Kubernetes API server. Everything goes in and out as deep copies so callers can
 * never mutate stored state by accident.
 */
export class ArgoCDStore {
  readonly namespace: string;
  private resourceVersion = 1000;
  private readonly applications = new Map<string, Application>();
  private readonly projects = new Map<string, AppProject>();
  private readonly repositories = new Map<string, Repository>();
  private readonly trees = new Map<string, ApplicationTree>();
  private readonly events = new Map<string, RecordedEvent[]>();
  private readonly emitter = new EventEmitter();

  constructor(
    namespace: string,
    private readonly clock: () => number,
  ) {
    this.namespace = namespace;
    this.emitter.setMaxListeners(0);
    this.putProject({
      metadata: { name: 'default' },
      spec: {
        sourceRepos: ['*'],
        destinations: [{ server: '*', namespace: '*' }],
        clusterResourceWhitelist: [{ group: '*', kind: '*' }],
      },
    });
  }

  currentResourceVersion(): string {
    return String(this.resourceVersion);
  }

  private nextResourceVersion(): string {
    this.resourceVersion += 1;
    return String(this.resourceVersion);
  }

  private stampMetadata(
    metadata: Application['metadata'],
    existing: Application['metadata'] | undefined,
  ): void {
    metadata.namespace = this.namespace;
    metadata.uid = existing?.uid ?? randomUUID();
    metadata.creationTimestamp = existing?.creationTimestamp ?? formatKubeTime(this.clock());
    metadata.resourceVersion = this.nextResourceVersion();
  }

  // Applications ------------------------------------------------------------------------------------------------

  getApplication(name: string): Application | undefined {
    const app = this.applications.get(name);
    return app ? structuredClone(app) : undefined;
  }

  listApplications(): Application[] {
    return [...this.applications.values()]
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .map((app) => structuredClone(app));
  }

  /** Names and source repositories of all apps, without copying them (for controller loops). */
  applicationSources(): Array<{ name: string; repoURL: string | undefined }> {
    return [...this.applications.values()].map((app) => ({
      name: app.metadata.name,
      repoURL: app.spec.source?.repoURL,
    }));
  }

  hasApplication(name: string): boolean {
    return this.applications.has(name);
  }

  /** Stores an application (new resourceVersion, generation bumped on spec change) and notifies watchers. */
  putApplication(app: Application): Application {
    const existing = this.applications.get(app.metadata.name);
    const stored = structuredClone(app);
    stored.apiVersion = 'argoproj.io/v1alpha1';
    stored.kind = 'Application';
    this.stampMetadata(stored.metadata, existing?.metadata);
    const specChanged = !existing || JSON.stringify(existing.spec) !== JSON.stringify(stored.spec);
    stored.metadata.generation = (existing?.metadata.generation ?? 0) + (specChanged ? 1 : 0);
    if (stored.operation === undefined) delete stored.operation;
    this.applications.set(stored.metadata.name, stored);
    this.emitter.emit('application', {
      type: existing ? 'MODIFIED' : 'ADDED',
      application: structuredClone(stored),
    } satisfies ApplicationChange);
    return structuredClone(stored);
  }

  /** Reads, changes and stores an application in one step; returns undefined when it does not exist. */
  updateApplication(name: string, change: (app: Application) => void): Application | undefined {
    const app = this.getApplication(name);
    if (!app) return undefined;
    change(app);
    return this.putApplication(app);
  }

  deleteApplication(name: string): void {
    const existing = this.applications.get(name);
    if (!existing) return;
    this.applications.delete(name);
    this.trees.delete(name);
    this.events.delete(name);
    const application = structuredClone(existing);
    application.metadata.resourceVersion = this.nextResourceVersion();
    this.emitter.emit('application', { type: 'DELETED', application } satisfies ApplicationChange);
  }

  onApplicationChange(listener: (change: ApplicationChange) => void): () => void {
    this.emitter.on('application', listener);
    return () => this.emitter.off('application', listener);
  }

  // Trees and events --------------------------------------------------------------------------------------------

  getTree(name: string): ApplicationTree | undefined {
    const tree = this.trees.get(name);
    return tree ? structuredClone(tree) : undefined;
  }

  setTree(name: string, tree: ApplicationTree): void {
    const previous = this.trees.get(name);
    if (previous && JSON.stringify(previous) === JSON.stringify(tree)) return;
    this.trees.set(name, structuredClone(tree));
    this.emitter.emit('tree', name, structuredClone(tree));
  }

  onTreeChange(listener: (name: string, tree: ApplicationTree) => void): () => void {
    this.emitter.on('tree', listener);
    return () => this.emitter.off('tree', listener);
  }

  recordEvent(appName: string, event: Omit<RecordedEvent, 'at'>): void {
    const list = this.events.get(appName) ?? [];
    list.push({ ...event, at: this.clock() });
    this.events.set(appName, list.slice(-200));
  }

  listEvents(appName: string): RecordedEvent[] {
    return [...(this.events.get(appName) ?? [])];
  }

  // Projects ----------------------------------------------------------------------------------------------------

  getProject(name: string): AppProject | undefined {
    const project = this.projects.get(name);
    return project ? structuredClone(project) : undefined;
  }

  listProjects(): AppProject[] {
    return [...this.projects.values()]
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .map((p) => structuredClone(p));
  }

  putProject(project: AppProject): AppProject {
    const existing = this.projects.get(project.metadata.name);
    const stored = structuredClone(project);
    stored.apiVersion = 'argoproj.io/v1alpha1';
    stored.kind = 'AppProject';
    this.stampMetadata(stored.metadata, existing?.metadata);
    stored.metadata.generation = (existing?.metadata.generation ?? 0) + 1;
    this.projects.set(stored.metadata.name, stored);
    return structuredClone(stored);
  }

  deleteProject(name: string): boolean {
    return this.projects.delete(name);
  }

  // Repositories ------------------------------------------------------------------------------------------------

  getRepository(url: string): Repository | undefined {
    const repository = this.repositories.get(url);
    return repository ? structuredClone(repository) : undefined;
  }

  listRepositories(): Repository[] {
    return [...this.repositories.values()].map((r) => structuredClone(r));
  }

  putRepository(repository: Repository): Repository {
    this.repositories.set(repository.repo, structuredClone(repository));
    return structuredClone(repository);
  }

  deleteRepository(url: string): boolean {
    return this.repositories.delete(url);
  }
}
