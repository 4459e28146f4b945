import { z } from 'zod';

/**
 * Health status vocabulary (gitops-engine `pkg/health`). Kept open (`string`) because custom Lua checks and
 * future versions may report other values; the known ones are listed for editors.
 */
export const HEALTH_STATUSES = [
  'Healthy',
  'Progressing',
  'Degraded',
  'Suspended',
  'Missing',
  'Unknown',
] as const;
/** A resource or application health status. */
export type HealthStatusCode = (typeof HEALTH_STATUSES)[number] | (string & {});

/** Sync status vocabulary. */
export const SYNC_STATUSES = ['Synced', 'OutOfSync', 'Unknown'] as const;
/** An application or resource sync status. */
export type SyncStatusCode = (typeof SYNC_STATUSES)[number] | (string & {});

/** Operation phases (gitops-engine `sync/common`). `Failed`, `Error` and `Succeeded` are terminal. */
export const OPERATION_PHASES = ['Running', 'Terminating', 'Failed', 'Error', 'Succeeded'] as const;
/** An operation phase. */
export type OperationPhase = (typeof OPERATION_PHASES)[number] | (string & {});

/** `{ status, message }` health of an application or one resource. */
export const healthStatusSchema = z.looseObject({
  status: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
});

/** Kubernetes object metadata, the fields we read; the rest passes through. */
export const objectMetaSchema = z.looseObject({
  name: z.string().optional(),
  namespace: z.string().optional(),
  resourceVersion: z.string().optional(),
  uid: z.string().optional(),
  generation: z.number().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  finalizers: z.array(z.string()).optional(),
});
