export { GitOpsKitError, type GitOpsKitErrorOptions, sanitizeCause } from './errors/gitops-kit-error.js';
export {
  HttpError,
  type HttpErrorOptions,
  MAXIMUM_BODY_SNIPPET_LENGTH,
  RETRYABLE_HTTP_STATUSES,
  toBodySnippet,
} from './errors/http-error.js';
export {
  AbortError,
  AuthenticationError,
  ConnectionError,
  ResponseParseError,
  ResponseTooLargeError,
  ResponseValidationError,
  TimeoutError,
  ValidationError,
  type ValidationIssue,
} from './errors/transport-errors.js';
export {
  checkTlsOptions,
  createDispatcher,
  type DispatcherSettings,
  hasProxyEnvironment,
} from './http/create-dispatcher.js';
export {
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_HTTP_TIMEOUTS,
  DEFAULT_MAX_RESPONSE_BYTES,
  HttpClient,
} from './http/http-client.js';
export type {
  HttpClientOptions,
  HttpErrorResponseInfo,
  HttpHeaders,
  HttpProxySetting,
  HttpQueryValue,
  HttpRequestOptions,
  HttpResponse,
  HttpResponseInfo,
  HttpResponseType,
  HttpStreamOptions,
  HttpStreamResponse,
  HttpTimeouts,
  HttpTlsOptions,
  TokenProvider,
} from './http/http-types.js';
export { parseBaseUrl } from './http/request-url.js';
export { safeJsonParse } from './http/safe-json-parse.js';
export { createRedactingLogger, defaultLogger, type Logger, silentLogger } from './logger/logger.js';
export {
  defaultRedactor,
  isSensitiveFieldName,
  isSensitiveHeaderName,
  isSensitiveQueryName,
  MAXIMUM_REDACTION_DEPTH,
  REDACTED,
  Redactor,
  redact,
  redactUrl,
  redactValue,
  registerSecret,
} from './redaction/redactor.js';
export { type BackoffOptions, computeBackoffDelayMs } from './retry/backoff.js';
export { type RetryAttemptContext, type RetryCallOptions, retry } from './retry/retry.js';
export { parseRetryAfterMs } from './retry/retry-after.js';
export {
  DEFAULT_RETRY_OPTIONS,
  IDEMPOTENT_HTTP_METHODS,
  isIdempotentMethod,
  type RetryAttemptInfo,
  type RetryOptions,
  resolveRetryOptions,
} from './retry/retry-options.js';
export { sleep } from './retry/sleep.js';
export type { ByteSource } from './streams/byte-source.js';
export { DEFAULT_MAX_LINE_BYTES, type ReadLinesOptions, readLines } from './streams/read-lines.js';
export { type ReadNdjsonOptions, readNdjsonLines } from './streams/read-ndjson-lines.js';
export {
  type ReadServerSentEventsOptions,
  readServerSentEvents,
  type ServerSentEvent,
} from './streams/read-server-sent-events.js';
export { abortReasonToError } from './timeouts/abort-reason.js';
export { type CallSignal, createCallSignal } from './timeouts/call-signal.js';
export { formatPath, parseWithSchema } from './validation/parse-with-schema.js';
export { CORE_VERSION } from './version.js';
