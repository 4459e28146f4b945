import { GitOpsKitError, type GitOpsKitErrorOptions } from '@gitops-kit/core';

/**
 * A kubeconfig (or the in-cluster service account) cannot be used: file missing or unparsable, unknown context,
 * cluster without a server, unreadable certificate. Not retryable; fix the configuration.
 */
export class KubeconfigError extends GitOpsKitError {
  static override readonly kind: string = 'KubeconfigError';
  constructor(message: string, options: GitOpsKitErrorOptions = {}) {
    super(message, { code: 'KUBECONFIG_INVALID', retryable: false, ...options });
  }
}

/**
 * The selected user authenticates through an `auth-provider` (oidc, gcp, azure) this package does not implement.
 * Raised instead of sending anonymous requests.
 */
export class UnsupportedAuthProviderError extends GitOpsKitError {
  static override readonly kind: string = 'UnsupportedAuthProviderError';
  /** The provider name from the kubeconfig, e.g. `oidc`. */
  readonly provider: string;
  constructor(provider: string, userName: string) {
    super(
      `kubeconfig user "${userName}" uses auth-provider "${provider}", which is not supported; ` +
        'configure an exec credential plugin instead (for example kubelogin for oidc, gke-gcloud-auth-plugin for gcp)',
      { code: 'UNSUPPORTED_AUTH_PROVIDER', retryable: false },
    );
    this.provider = provider;
  }
}

/** An exec credential plugin failed to start, exited non-zero, or printed something that is not an ExecCredential. */
export class ExecCredentialError extends GitOpsKitError {
  static override readonly kind: string = 'ExecCredentialError';
  /** The plugin command as configured (never its output). */
  readonly command: string;
  constructor(message: string, options: GitOpsKitErrorOptions & { command: string }) {
    super(message, { code: 'EXEC_CREDENTIAL_FAILED', retryable: false, ...options });
    this.command = options.command;
  }
}
