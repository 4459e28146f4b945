import { GitOpsKitError } from '../errors/gitops-kit-error.js';
import { ConnectionError, TimeoutError, ValidationError } from '../errors/transport-errors.js';
import { abortReasonToError } from '../timeouts/abort-reason.js';

/** Certificate and TLS handshake failures: retrying cannot fix them. */
const TLS_FAILURE_CODE =
  /^(?:CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(?:GET|VERIFY|DECRYPT)|HOSTNAME_MISMATCH|ERR_OSSL_)/;

function codeOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** What the request was, for the message. */
export interface TransportErrorContext {
  method: string;
  /** Already redacted. */
  url: string;
  signal: AbortSignal | undefined;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
}

/**
 * Maps whatever undici or Node threw into the SDK's error classes: the caller's abort or deadline first, then
 * undici's timeouts, TLS failures (not retryable), and every other network failure as a `ConnectionError` with
 * the most specific low-level code (`ECONNRESET`, `UND_ERR_SOCKET`, `ECONNREFUSED`…).
 */
export function toTransportError(error: unknown, context: TransportErrorContext): GitOpsKitError {
  if (context.signal?.aborted) return abortReasonToError(context.signal);
  if (GitOpsKitError.isInstance(error)) return error;
  const ownCode = codeOf(error);
  const innerCode = codeOf((error as { cause?: unknown } | null)?.cause);
  const target = `${context.method} ${context.url}`;
  switch (ownCode) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new TimeoutError(`${target}: connecting timed out`, { cause: error });
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new TimeoutError(`${target}: no response headers within ${context.headersTimeoutMs} ms`, {
        cause: error,
        timeoutMs: context.headersTimeoutMs,
      });
    case 'UND_ERR_BODY_TIMEOUT':
      return new TimeoutError(`${target}: the response body stalled for ${context.bodyTimeoutMs} ms`, {
        cause: error,
        timeoutMs: context.bodyTimeoutMs,
      });
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_DESTROYED':
      return new ConnectionError(`${target}: the HTTP client was closed`, {
        cause: error,
        causeCode: ownCode,
        retryable: false,
      });
    case 'UND_ERR_INVALID_ARG':
    case 'ERR_INVALID_ARG_TYPE':
    case 'ERR_INVALID_ARG_VALUE':
    case 'ERR_INVALID_CHAR':
    case 'ERR_INVALID_HTTP_TOKEN':
      return new ValidationError(
        `${target}: the request is invalid: ${error instanceof Error ? error.message : ''}`,
        {
          cause: error,
        },
      );
    default:
      break;
  }
  const detail = error instanceof Error ? error.message : String(error);
  // undici reports a refused proxy tunnel as an abort; the caller did not abort (that was handled above).
  const proxyStatus = /Proxy response \((\d{3})\)/.exec(detail)?.[1];
  if (proxyStatus !== undefined) {
    return new ConnectionError(
      `${target}: the proxy refused to open a tunnel (HTTP ${proxyStatus})${proxyStatus === '407' ? '; check the proxy credentials' : ''}`,
      { cause: error, causeCode: `PROXY_STATUS_${proxyStatus}`, retryable: Number(proxyStatus) >= 500 },
    );
  }
  if (error instanceof Error && error.name === 'AbortError') {
    // Aborted by undici itself (a destroyed dispatcher, for instance), not by the caller: not worth repeating.
    return new ConnectionError(`${target}: the request was aborted by the transport`, {
      cause: error,
      causeCode: ownCode ?? 'UND_ERR_ABORTED',
      retryable: false,
    });
  }
  const tlsCode = [ownCode, innerCode].find((code) => code !== undefined && TLS_FAILURE_CODE.test(code));
  if (tlsCode) {
    return new ConnectionError(
      `${target}: TLS verification failed (${tlsCode}); trust the server's CA with tls.ca, or, for testing only, set tls.insecureSkipVerify`,
      { cause: error, causeCode: tlsCode, retryable: false },
    );
  }
  const causeCode = ownCode === 'UND_ERR_SOCKET' && innerCode ? innerCode : (ownCode ?? innerCode);
  return new ConnectionError(`${target}: ${detail}${causeCode ? ` (${causeCode})` : ''}`, {
    cause: error,
    ...(causeCode ? { causeCode } : {}),
  });
}
