import type { ZodType, z } from 'zod';
import { KubernetesApiError } from '../errors/kubernetes-api-error.js';
import { TektonValidationError } from '../errors/tekton-errors.js';
import type { ResourceType } from '../kube/resource.js';
import { validateTektonDocument } from '../validation/validate-document.js';
import { type CallOptions, type ClientContext, callOptions } from './client-context.js';

const APPLY_ATTEMPTS = 3;

/**
 * Create-or-update for definitions (Task, Pipeline): validate, GET, then POST when absent or PUT with the current
 * `resourceVersion`; a 409 from a concurrent writer is retried a bounded number of times.
 */
export class DefinitionApplier<S extends ZodType> {
  readonly #context: ClientContext;
  readonly #type: ResourceType;
  readonly #schema: S;

  constructor(context: ClientContext, type: ResourceType, schema: S) {
    this.#context = context;
    this.#type = type;
    this.#schema = schema;
  }

  /**
   * Creates or replaces the definition.
   *
   * @throws {TektonValidationError} when the document fails validation (nothing sent).
   * @throws {KubernetesApiError} when the server refuses it.
   * @example
   * ```ts
   * await client.pipelines.apply(definePipeline(...).toObject());
   * ```
   */
  async apply(document: Record<string, unknown>, options: CallOptions = {}): Promise<z.output<S>> {
    const validation = validateTektonDocument(document);
    if (!validation.valid) {
      throw new TektonValidationError(
        `${this.#type.kind} is invalid: ${validation.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
        { issues: validation.issues },
      );
    }
    const metadata = (document.metadata ?? {}) as { name?: string; namespace?: string };
    const namespace = options.namespace ?? metadata.namespace ?? this.#context.namespace;
    const name = metadata.name ?? '';
    const body = { ...document, metadata: { ...metadata, namespace } };
    for (let attempt = 1; ; attempt += 1) {
      try {
        let current: { metadata?: { resourceVersion?: string } } | undefined;
        try {
          current = (await this.#context.transport.get(
            this.#type,
            namespace,
            name,
            this.#schema,
            callOptions(options),
          )) as typeof current;
        } catch (error) {
          if (!KubernetesApiError.isNotFound(error)) throw error;
        }
        if (!current)
          return await this.#context.transport.create(
            this.#type,
            namespace,
            body,
            this.#schema,
            callOptions(options),
          );
        const replacement = {
          ...body,
          metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion },
        };
        return await this.#context.transport.replace(
          this.#type,
          namespace,
          name,
          replacement,
          this.#schema,
          callOptions(options),
        );
      } catch (error) {
        if (attempt >= APPLY_ATTEMPTS || !KubernetesApiError.isConflict(error)) throw error;
      }
    }
  }

  /** GETs a definition. @throws {KubernetesApiError} `NotFound`. */
  get(name: string, options: CallOptions = {}): Promise<z.output<S>> {
    return this.#context.transport.get(
      this.#type,
      options.namespace ?? this.#context.namespace,
      name,
      this.#schema,
      callOptions(options),
    );
  }

  /** Deletes a definition. @throws {KubernetesApiError} `NotFound`. */
  delete(name: string, options: CallOptions = {}): Promise<void> {
    return this.#context.transport.delete(
      this.#type,
      options.namespace ?? this.#context.namespace,
      name,
      callOptions(options),
    );
  }
}
