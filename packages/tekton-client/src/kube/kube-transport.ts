import {
  HttpClient,
  type HttpClientOptions,
  type HttpErrorResponseInfo,
  type Logger,
} from '@gitops-kit/core';
import type { ZodType, z } from 'zod';
import {
  KubernetesApiError,
  kubernetesErrorMessage,
  parseKubernetesStatus,
} from '../errors/kubernetes-api-error.js';
import { type ResourceType, resourcePath } from './resource.js';

/** Per-call options every verb accepts. */
export interface KubeCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Options of a list call. */
export interface ListOptions extends KubeCallOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; the server may return fewer. */
  limit?: number;
  /** The `continue` token of the previous page. */
  continue?: string;
  resourceVersion?: string;
}

/** One page of a list: the items plus the collection's resourceVersion and continue token. */
export interface ListPage<T> {
  items: T[];
  resourceVersion: string | undefined;
  continue: string | undefined;
}

/** Maps an error response to {@link KubernetesApiError}, keeping the Status reason, code and causes. */
export function kubernetesErrorFromResponse(info: HttpErrorResponseInfo): Error | undefined {
  if (info.status === 401) return undefined; // core's AuthenticationError, after one token refresh
  const kubeStatus = parseKubernetesStatus(info.bodyJson, info.status);
  const options = { ...info.httpErrorOptions, status: info.status };
  return new KubernetesApiError(
    kubernetesErrorMessage(info.method, info.url, info.status, kubeStatus),
    kubeStatus ? { ...options, kubeStatus } : options,
  );
}

function withCall<T extends object>(target: T, options: KubeCallOptions): T {
  const out = target as T & { signal?: AbortSignal; timeoutMs?: number };
  if (options.signal) out.signal = options.signal;
  if (options.timeoutMs !== undefined) out.timeoutMs = options.timeoutMs;
  return out;
}

/**
 * A small Kubernetes REST transport on core's `HttpClient`: get, list (selectors, `continue` pages),
 * create, JSON merge patch and delete, with Kubernetes `Status` bodies turned into {@link KubernetesApiError}.
 * Watches live in `watchResource`; pod logs in `streamPodLogs`.
 */
export class KubeTransport {
  readonly http: HttpClient;
  readonly logger: Logger | undefined;
  /** Requests made through this transport (list pages, gets, watches…), for diagnostics and benchmarks. */
  requestCount = 0;

  constructor(options: HttpClientOptions | HttpClient, logger?: Logger) {
    this.http =
      options instanceof HttpClient
        ? options
        : new HttpClient({
            ...options,
            errorFromResponse: options.errorFromResponse ?? kubernetesErrorFromResponse,
          });
    this.logger = logger;
  }

  /**
   * GETs one object and validates it.
   *
   * @throws {KubernetesApiError} `NotFound` and other Status errors.
   */
  async get<S extends ZodType>(
    type: ResourceType,
    namespace: string,
    name: string,
    schema: S,
    options: KubeCallOptions = {},
  ): Promise<z.output<S>> {
    this.requestCount += 1;
    const response = await this.http.request(
      withCall({ path: resourcePath(type, namespace, name), schema }, options),
    );
    return response.data as z.output<S>;
  }

  /** Lists one page. @throws {KubernetesApiError} e.g. `Gone` for an expired continue token. */
  async listPage<S extends ZodType>(
    type: ResourceType,
    namespace: string,
    schema: S,
    options: ListOptions = {},
  ): Promise<ListPage<z.output<S>>> {
    this.requestCount += 1;
    const query: Record<string, string | number | undefined> = {
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      limit: options.limit,
      continue: options.continue,
      resourceVersion: options.resourceVersion,
    };
    const response = await this.http.request(
      withCall({ path: resourcePath(type, namespace), query }, options),
    );
    const body = response.data as {
      items?: unknown[];
      metadata?: { resourceVersion?: string; continue?: string };
    };
    const items = (body.items ?? []).map((item) => schema.parse(item) as z.output<S>);
    return {
      items,
      resourceVersion: body.metadata?.resourceVersion,
      continue: body.metadata?.continue || undefined,
    };
  }

  /**
   * Lists every item, following `continue` tokens. Returns the items and the resourceVersion of the first page
   * (the snapshot a watch should start from).
   */
  async listAll<S extends ZodType>(
    type: ResourceType,
    namespace: string,
    schema: S,
    options: ListOptions = {},
  ): Promise<{ items: Array<z.output<S>>; resourceVersion: string | undefined }> {
    const items: Array<z.output<S>> = [];
    let resourceVersion: string | undefined;
    let token = options.continue;
    let first = true;
    do {
      const page = await this.listPage(type, namespace, schema, {
        ...options,
        ...(token ? { continue: token } : {}),
      });
      if (first) resourceVersion = page.resourceVersion;
      first = false;
      items.push(...page.items);
      token = page.continue;
    } while (token);
    return { items, resourceVersion };
  }

  /** Lists page by page as an async iterable of items. */
  async *iterate<S extends ZodType>(
    type: ResourceType,
    namespace: string,
    schema: S,
    options: ListOptions = {},
  ): AsyncGenerator<z.output<S>> {
    let token = options.continue;
    do {
      const page = await this.listPage(type, namespace, schema, {
        ...options,
        ...(token ? { continue: token } : {}),
      });
      yield* page.items;
      token = page.continue;
    } while (token);
  }

  /**
   * POSTs a new object; with `metadata.generateName` the server picks the name (read it from the result).
   * Not retried on failure (a create is not idempotent).
   *
   * @throws {KubernetesApiError} `AlreadyExists` (409), `Invalid` (422) with causes, `Forbidden`.
   */
  async create<S extends ZodType>(
    type: ResourceType,
    namespace: string,
    body: unknown,
    schema: S,
    options: KubeCallOptions = {},
  ): Promise<z.output<S>> {
    this.requestCount += 1;
    const response = await this.http.request(
      withCall(
        { method: 'POST', path: resourcePath(type, namespace), body, schema, idempotent: false },
        options,
      ),
    );
    return response.data as z.output<S>;
  }

  /** Replaces an object (PUT); needs `metadata.resourceVersion`. @throws {KubernetesApiError} `Conflict`. */
  async replace<S extends ZodType>(
    type: ResourceType,
    namespace: string,
    name: string,
    body: unknown,
    schema: S,
    options: KubeCallOptions = {},
  ): Promise<z.output<S>> {
    this.requestCount += 1;
    const response = await this.http.request(
      withCall({ method: 'PUT', path: resourcePath(type, namespace, name), body, schema }, options),
    );
    return response.data as z.output<S>;
  }

  /**
   * Applies a JSON merge patch (RFC 7386, `application/merge-patch+json`), which custom resources accept
   * (strategic merge patch is refused for CRDs). Merge patches are idempotent, so they are retried.
   */
  async mergePatch<S extends ZodType>(
    type: ResourceType,
    namespace: string,
    name: string,
    patch: unknown,
    schema: S,
    options: KubeCallOptions = {},
  ): Promise<z.output<S>> {
    this.requestCount += 1;
    const response = await this.http.request(
      withCall(
        {
          method: 'PATCH',
          path: resourcePath(type, namespace, name),
          headers: { 'content-type': 'application/merge-patch+json' },
          body: JSON.stringify(patch),
          schema,
          idempotent: true,
        },
        options,
      ),
    );
    return response.data as z.output<S>;
  }

  /** Deletes an object. @throws {KubernetesApiError} `NotFound`. */
  async delete(
    type: ResourceType,
    namespace: string,
    name: string,
    options: KubeCallOptions & { propagationPolicy?: 'Foreground' | 'Background' | 'Orphan' } = {},
  ): Promise<void> {
    this.requestCount += 1;
    const query = options.propagationPolicy ? { propagationPolicy: options.propagationPolicy } : undefined;
    await this.http.request(
      withCall(
        {
          method: 'DELETE',
          path: resourcePath(type, namespace, name),
          responseType: 'none',
          ...(query ? { query } : {}),
        },
        options,
      ),
    );
  }

  /** Closes the connection pool. */
  async close(): Promise<void> {
    await this.http.close();
  }
}
