import { registerSecret } from '@gitops-kit/core';
import { z } from 'zod';
import { apiPath } from '../client/api-path.js';
import type { CallOptions } from '../client/client-options.js';
import type { V1alpha1Repository } from '../generated/argocd-api.generated.js';
import { assertNonEmpty } from '../validation/names.js';
import { callOptions, type ResourceContext } from './resource-context.js';

/** A repository as returned (secrets stripped by the server). */
export const repositorySchema = z.looseObject({
  repo: z.string(),
  type: z.string().optional(),
  name: z.string().optional(),
  project: z.string().optional(),
  connectionState: z
    .looseObject({
      status: z.string().optional(),
      message: z.string().optional(),
      attemptedAt: z.string().optional(),
    })
    .nullish(),
});
const repositoryListSchema = z.looseObject({ items: z.array(repositorySchema).nullish() });

/** A repository as Argo CD returns it. */
export type Repository = z.infer<typeof repositorySchema> & V1alpha1Repository;
/** A repository to create or update (the swagger type; `repo` required). */
export type RepositoryInput = V1alpha1Repository & { repo: string };

/** Query options that scope a repository call. */
export interface RepositoryScope extends CallOptions {
  /** Bypass the server's repository cache. */
  forceRefresh?: boolean;
  /** The project of a project-scoped repository. */
  appProject?: string;
}

const SECRET_FIELDS = [
  'password',
  'sshPrivateKey',
  'tlsClientCertKey',
  'githubAppPrivateKey',
  'gcpServiceAccountKey',
  'bearerToken',
  'azureServicePrincipalClientSecret',
] as const;

function registerRepositorySecrets(repository: object): void {
  for (const field of SECRET_FIELDS) {
    const value = (repository as Record<string, unknown>)[field];
    if (typeof value === 'string') registerSecret(value);
  }
}

/**
 * Repositories (`/api/v1/repositories`). Repository URLs are always sent `encodeURIComponent`-encoded as path
 * parameters (Argo CD undoes Go's path decoding for them). Credentials you pass are registered for redaction.
 *
 * @example
 * ```ts
 * await client.repositories.create({ repo: 'https://git.example.com/deploy.git', username: 'ci', password }, { upsert: true });
 * ```
 */
export class RepositoriesResource {
  readonly #context: ResourceContext;
  constructor(context: ResourceContext) {
    this.#context = context;
  }

  /**
   * Registers a repository. Idempotent for an identical spec; `upsert` overwrites a different one (else 400).
   * Without `project` the server tests the connection before saving.
   *
   * @throws {ValidationError} when `repo` is empty.
   * @throws {ArgoCDApiError} e.g. 400 "existing repository spec is different" without `upsert`.
   */
  async create(
    repository: RepositoryInput,
    options?: CallOptions & { upsert?: boolean; credsOnly?: boolean },
  ): Promise<Repository> {
    assertNonEmpty(repository.repo, 'repository URL');
    registerRepositorySecrets(repository);
    return this.#context.transport.call({
      method: 'POST',
      path: '/api/v1/repositories',
      query: { upsert: options?.upsert, credsOnly: options?.credsOnly },
      body: repository,
      schema: repositorySchema,
      ...callOptions(options),
    }) as Promise<Repository>;
  }

  /**
   * Lists repositories (optionally one URL).
   *
   * @throws {ArgoCDApiError} for server errors.
   */
  async list(options?: RepositoryScope & { repo?: string }): Promise<Repository[]> {
    const list = await this.#context.transport.call({
      path: '/api/v1/repositories',
      query: { repo: options?.repo, forceRefresh: options?.forceRefresh, appProject: options?.appProject },
      schema: repositoryListSchema,
      ...callOptions(options),
    });
    return (list.items ?? []) as Repository[];
  }

  /**
   * Reads one repository by URL.
   *
   * @throws {ArgoCDApiError} `isNotFound()` when it is not registered.
   */
  async get(repoUrl: string, options?: RepositoryScope): Promise<Repository> {
    assertNonEmpty(repoUrl, 'repository URL');
    return this.#context.transport.call({
      path: apiPath('/api/v1/repositories/{repo}', { repo: repoUrl }),
      query: { forceRefresh: options?.forceRefresh, appProject: options?.appProject },
      schema: repositorySchema,
      ...callOptions(options),
    }) as Promise<Repository>;
  }

  /**
   * Replaces a repository's settings/credentials.
   *
   * @throws {ArgoCDApiError} for server errors.
   */
  async update(repository: RepositoryInput, options?: CallOptions): Promise<Repository> {
    assertNonEmpty(repository.repo, 'repository URL');
    registerRepositorySecrets(repository);
    return this.#context.transport.call({
      method: 'PUT',
      path: apiPath('/api/v1/repositories/{repo.repo}', { 'repo.repo': repository.repo }),
      body: repository,
      schema: repositorySchema,
      ...callOptions(options),
    }) as Promise<Repository>;
  }

  /**
   * Removes a repository.
   *
   * @throws {ArgoCDApiError} for server errors.
   */
  async delete(repoUrl: string, options?: RepositoryScope): Promise<void> {
    assertNonEmpty(repoUrl, 'repository URL');
    await this.#context.transport.call({
      method: 'DELETE',
      path: apiPath('/api/v1/repositories/{repo}', { repo: repoUrl }),
      query: { forceRefresh: options?.forceRefresh, appProject: options?.appProject },
      responseType: 'none',
      ...callOptions(options),
    });
  }

  /**
   * Checks that Argo CD can reach a repository with the given credentials, without saving anything. The server
   * takes the credentials as query parameters; they are registered for redaction so no error or log shows them.
   *
   * @throws {ArgoCDApiError} when the server cannot access the repository.
   */
  async validateAccess(
    repoUrl: string,
    credentials: {
      username?: string;
      password?: string;
      sshPrivateKey?: string;
      bearerToken?: string;
      insecure?: boolean;
      type?: 'git' | 'helm';
      name?: string;
      project?: string;
      enableOci?: boolean;
      proxy?: string;
      forceHttpBasicAuth?: boolean;
    } = {},
    options?: CallOptions,
  ): Promise<void> {
    assertNonEmpty(repoUrl, 'repository URL');
    registerRepositorySecrets(credentials);
    await this.#context.transport.call({
      method: 'POST',
      path: apiPath('/api/v1/repositories/{repo}/validate', { repo: repoUrl }),
      query: { ...credentials },
      body: JSON.stringify(repoUrl),
      responseType: 'none',
      ...callOptions(options),
    });
  }
}
