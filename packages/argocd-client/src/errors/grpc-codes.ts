/** gRPC status code names by number (google.golang.org/grpc/codes). */
export const GRPC_CODE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'OK',
  1: 'Canceled',
  2: 'Unknown',
  3: 'InvalidArgument',
  4: 'DeadlineExceeded',
  5: 'NotFound',
  6: 'AlreadyExists',
  7: 'PermissionDenied',
  8: 'ResourceExhausted',
  9: 'FailedPrecondition',
  10: 'Aborted',
  11: 'OutOfRange',
  12: 'Unimplemented',
  13: 'Internal',
  14: 'Unavailable',
  15: 'DataLoss',
  16: 'Unauthenticated',
});

/** The name of a gRPC code, `undefined` when the code is absent or unknown. */
export function grpcCodeName(code: number | undefined): string | undefined {
  return code === undefined ? undefined : GRPC_CODE_NAMES[code];
}
