/** gRPC status codes used by Argo CD's API (google.golang.org/grpc/codes). */
export const GrpcCode = {
  OK: 0,
  Canceled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Aborted: 10,
  OutOfRange: 11,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  DataLoss: 15,
  Unauthenticated: 16,
} as const;

/** A gRPC status code number. */
export type GrpcCodeNumber = (typeof GrpcCode)[keyof typeof GrpcCode];

// grpc-gateway v1.16 runtime/errors.go HTTPStatusFromCode; FailedPrecondition is deliberately 400, not 412.
const HTTP_STATUS_BY_CODE: Record<number, number> = {
  0: 200,
  1: 408,
  2: 500,
  3: 400,
  4: 504,
  5: 404,
  6: 409,
  7: 403,
  8: 429,
  9: 400,
  10: 409,
  11: 400,
  12: 501,
  13: 500,
  14: 503,
  15: 500,
  16: 401,
};

/** Maps a gRPC code to the HTTP status grpc-gateway answers with (unknown codes → 500). */
export function httpStatusFromGrpcCode(code: number): number {
  return HTTP_STATUS_BY_CODE[code] ?? 500;
}

/** Maps an HTTP status back to the gRPC code grpc-gateway would have started from (for injected faults). */
export function grpcCodeFromHttpStatus(status: number): GrpcCodeNumber {
  const map: Record<number, GrpcCodeNumber> = {
    400: GrpcCode.InvalidArgument,
    401: GrpcCode.Unauthenticated,
    403: GrpcCode.PermissionDenied,
    404: GrpcCode.NotFound,
    408: GrpcCode.Canceled,
    409: GrpcCode.Aborted,
    429: GrpcCode.ResourceExhausted,
    501: GrpcCode.Unimplemented,
    502: GrpcCode.Unavailable,
    503: GrpcCode.Unavailable,
    504: GrpcCode.DeadlineExceeded,
  };
  return map[status] ?? (status >= 500 ? GrpcCode.Internal : GrpcCode.Unknown);
}

/** A server-side failure with a gRPC status; the HTTP layer renders it as grpc-gateway would. */
export class RpcStatusError extends Error {
  readonly code: GrpcCodeNumber;
  constructor(code: GrpcCodeNumber, message: string) {
    super(message);
    this.name = 'RpcStatusError';
    this.code = code;
  }
  get httpStatus(): number {
    return httpStatusFromGrpcCode(this.code);
  }
}

/** Shorthand for `new RpcStatusError(code, message)`. */
export function rpcError(code: GrpcCodeNumber, message: string): RpcStatusError {
  return new RpcStatusError(code, message);
}

/** The `http_status` text grpc-gateway puts in stream errors (Go's http.StatusText). */
export function httpStatusText(status: number): string {
  const texts: Record<number, string> = {
    200: 'OK',
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    408: 'Request Timeout',
    409: 'Conflict',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    501: 'Not Implemented',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
  };
  return texts[status] ?? 'Unknown';
}
