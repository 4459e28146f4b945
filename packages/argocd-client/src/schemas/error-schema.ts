import { z } from 'zod';

/**
 * A unary error body (grpc-gateway `runtimeError`): `{ error, code, message, details }`, `error` == `message`,
 * `code` the numeric gRPC code.
 */
export const runtimeErrorSchema = z.looseObject({
  error: z.string().optional(),
  code: z.number().optional(),
  message: z.string().optional(),
  details: z.array(z.unknown()).nullish(),
});

/** A parsed unary error body. */
export type RuntimeErrorBody = z.infer<typeof runtimeErrorSchema>;
