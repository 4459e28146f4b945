import { z } from 'zod';
import { applicationSchema } from './application-schema.js';

/** The Kubernetes watch event types Argo CD forwards. */
export const WATCH_EVENT_TYPES = ['ADDED', 'MODIFIED', 'DELETED'] as const;

/** `v1alpha1ApplicationWatchEvent`. */
export const applicationWatchEventSchema = z.looseObject({
  type: z.enum(WATCH_EVENT_TYPES),
  application: applicationSchema,
});

/**
 * In-band stream error (grpc-gateway v1.16 `StreamError`, snake_case keys): the final chunk of a stream that
 * failed.
 */
export const streamErrorSchema = z.looseObject({
  grpc_code: z.number().optional(),
  http_code: z.number().optional(),
  message: z.string().optional(),
  http_status: z.string().optional(),
});

/** One chunk of a stream: `{ result }` or `{ error }`. */
export const streamChunkSchema = z.looseObject({
  result: z.unknown().optional(),
  error: streamErrorSchema.nullish(),
});

/** A change to an application seen on the watch stream. */
export type ApplicationWatchEvent = z.infer<typeof applicationWatchEventSchema>;
/** An in-band stream error. */
export type StreamErrorBody = z.infer<typeof streamErrorSchema>;
