import { GitOpsKitError } from '@gitops-kit/core';

/**
 * A health customisation could not be read: an `argocd-cm` key Argo CD would reject, a malformed
 * `resource.customizations` block, or an unreadable `resource_customizations` directory.
 *
 * @example
 * ```ts
 * try { parseHealthCustomizations({ 'resource.customizations.health.a_b_c': '...' }); }
 * catch (error) { if (HealthConfigurationError.isInstance(error)) console.error(error.message); }
 * ```
 */
export class HealthConfigurationError extends GitOpsKitError {
  static override readonly kind: string = 'HealthConfigurationError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'HEALTH_CONFIGURATION_INVALID', retryable: false, cause: options.cause });
  }
}

/**
 * The Lua worker could not be started or was used after `close()`. Script errors and budget overruns are not
 * thrown: like Argo CD they become an `Unknown` health with the error text.
 *
 * @example
 * ```ts
 * try { assessor.assess(obj); } catch (error) { if (LuaRuntimeError.isInstance(error)) restartAssessor(); }
 * ```
 */
export class LuaRuntimeError extends GitOpsKitError {
  static override readonly kind: string = 'LuaRuntimeError';

  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, {
      code: 'HEALTH_LUA_RUNTIME_FAILED',
      retryable: options.retryable ?? false,
      cause: options.cause,
    });
  }
}

/**
 * A resource action or its discovery script failed: a Lua error, a result that is not a table, or output that is
 * not a Kubernetes object (Argo CD answers these with the same texts, from `util/lua/lua.go`).
 *
 * @example
 * ```ts
 * try { await runResourceAction('return 1', deployment); }
 * catch (error) { if (ResourceActionError.isInstance(error)) console.error(error.message); }
 * ```
 */
export class ResourceActionError extends GitOpsKitError {
  static override readonly kind: string = 'ResourceActionError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'RESOURCE_ACTION_FAILED', retryable: false, cause: options.cause });
  }
}
