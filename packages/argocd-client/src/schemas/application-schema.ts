import { z } from 'zod';
import { healthStatusSchema, objectMetaSchema } from './status-schemas.js';

// Lenient on unknown fields (servers add fields every release), strict on the fields the client reads: a wrong
// type there is a ResponseValidationError, not a silent `undefined` later. Go's `omitempty` means every field
// may be absent; containers may also be `null` when a Go slice/pointer is nil without `omitempty`.

/** `{ name, value }` pair used by `infos`, `spec.info` and operation info. */
export const infoSchema = z.looseObject({ name: z.string(), value: z.string() });

/** `spec.source.helm.parameters[]`. */
export const helmParameterSchema = z.looseObject({
  name: z.string().optional(),
  value: z.string().optional(),
  forceString: z.boolean().optional(),
});

/** The Helm block of a source: what `setHelmParameters` reads and writes. */
export const helmSourceSchema = z.looseObject({
  parameters: z.array(helmParameterSchema).nullish(),
  valueFiles: z.array(z.string()).nullish(),
  values: z.string().optional(),
  releaseName: z.string().optional(),
});

/** One application source (`spec.source` or an element of `spec.sources`). */
export const applicationSourceSchema = z.looseObject({
  repoURL: z.string().optional(),
  path: z.string().optional(),
  targetRevision: z.string().optional(),
  chart: z.string().optional(),
  name: z.string().optional(),
  helm: helmSourceSchema.nullish(),
});

/** `spec.syncPolicy`: only `automated` matters to us (rollback is refused while it is on). */
export const syncPolicySchema = z.looseObject({
  automated: z
    .looseObject({
      enabled: z.boolean().optional(),
      prune: z.boolean().optional(),
      selfHeal: z.boolean().optional(),
    })
    .nullish(),
  syncOptions: z.array(z.string()).nullish(),
});

/** `spec`. */
export const applicationSpecSchema = z.looseObject({
  project: z.string().optional(),
  source: applicationSourceSchema.nullish(),
  sources: z.array(applicationSourceSchema).nullish(),
  destination: z
    .looseObject({
      server: z.string().optional(),
      name: z.string().optional(),
      namespace: z.string().optional(),
    })
    .nullish(),
  syncPolicy: syncPolicySchema.nullish(),
});

/** A sync operation as requested (`operation.sync` or `status.operationState.operation.sync`). */
export const syncOperationSchema = z.looseObject({
  revision: z.string().optional(),
  revisions: z.array(z.string()).nullish(),
  prune: z.boolean().optional(),
  dryRun: z.boolean().optional(),
});

/** `operation` and `status.operationState.operation`. */
export const operationSchema = z.looseObject({
  sync: syncOperationSchema.nullish(),
  info: z.array(infoSchema).nullish(),
  initiatedBy: z
    .looseObject({ username: z.string().optional(), automated: z.boolean().optional() })
    .nullish(),
});

/** One resource's outcome in `syncResult.resources`. */
export const resourceResultSchema = z.looseObject({
  group: z.string().optional(),
  version: z.string().optional(),
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  status: z.string().optional(),
  message: z.string().optional(),
  hookPhase: z.string().optional(),
  syncPhase: z.string().optional(),
});

/** `status.operationState`. */
export const operationStateSchema = z.looseObject({
  phase: z.string().optional(),
  message: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().nullish(),
  retryCount: z.number().optional(),
  operation: operationSchema.nullish(),
  syncResult: z
    .looseObject({
      revision: z.string().optional(),
      revisions: z.array(z.string()).nullish(),
      resources: z.array(resourceResultSchema).nullish(),
    })
    .nullish(),
});

/** One entry of `status.history` (appended after each successful full sync). */
export const revisionHistorySchema = z.looseObject({
  id: z.number(),
  revision: z.string().optional(),
  revisions: z.array(z.string()).nullish(),
  deployedAt: z.string().optional(),
  deployStartedAt: z.string().optional(),
  source: applicationSourceSchema.nullish(),
  sources: z.array(applicationSourceSchema).nullish(),
});

/** `status.resources[]`: per-resource sync and health (health filled from the tree cache by the API server). */
export const resourceStatusSchema = z.looseObject({
  group: z.string().optional(),
  version: z.string().optional(),
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  status: z.string().optional(),
  health: healthStatusSchema.nullish(),
  hook: z.boolean().optional(),
  requiresPruning: z.boolean().optional(),
});

/** `status.conditions[]`. */
export const applicationConditionSchema = z.looseObject({
  type: z.string(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
});

/** `status`. */
export const applicationStatusSchema = z.looseObject({
  sync: z
    .looseObject({
      status: z.string().optional(),
      revision: z.string().optional(),
      revisions: z.array(z.string()).nullish(),
    })
    .nullish(),
  health: healthStatusSchema.nullish(),
  operationState: operationStateSchema.nullish(),
  reconciledAt: z.string().optional(),
  history: z.array(revisionHistorySchema).nullish(),
  resources: z.array(resourceStatusSchema).nullish(),
  conditions: z.array(applicationConditionSchema).nullish(),
  sourceType: z.string().optional(),
  sourceTypes: z.array(z.string()).nullish(),
});

/** An Argo CD Application as the API returns it. */
export const applicationSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: objectMetaSchema,
  spec: applicationSpecSchema.optional(),
  status: applicationStatusSchema.optional(),
  operation: operationSchema.nullish(),
});

const notValidatedInLists = z.unknown().optional();

/**
 * One item of `GET /api/v1/applications`: metadata, spec, sync and health are validated; the bulky per-resource
 * arrays (`resources`, `history`, `operationState`, `conditions`) pass through unvalidated and typed `unknown`, so
 * a list of thousands of apps validates in a fraction of `JSON.parse` time. `get()` returns them validated.
 */
export const applicationListItemSchema = applicationSchema.extend({
  status: applicationStatusSchema
    .extend({
      resources: notValidatedInLists,
      history: notValidatedInLists,
      operationState: notValidatedInLists,
      conditions: notValidatedInLists,
    })
    .optional(),
});

/** An item of a list fetched with a `fields` projection: every top-level field may be missing. */
export const projectedApplicationSchema = applicationListItemSchema.partial();

/** `GET /api/v1/applications`. */
export const applicationListSchema = z.looseObject({
  metadata: z.looseObject({ resourceVersion: z.string().optional() }).nullish(),
  items: z.array(applicationListItemSchema).nullish(),
});

/** An application, with everything we read typed and everything else passed through. */
export type Application = z.infer<typeof applicationSchema>;
/** The list response. */
export type ApplicationList = z.infer<typeof applicationListSchema>;
/** One application of a list (bulky status arrays not validated — see {@link applicationListItemSchema}). */
export type ApplicationListItem = z.infer<typeof applicationListItemSchema>;
/** `status.operationState`. */
export type OperationState = z.infer<typeof operationStateSchema>;
/** An application from a projected list (`fields`). */
export type ProjectedApplication = z.infer<typeof projectedApplicationSchema>;
/** A `status.history` entry. */
export type RevisionHistory = z.infer<typeof revisionHistorySchema>;
/** A `status.resources` entry. */
export type ResourceStatus = z.infer<typeof resourceStatusSchema>;
/** `spec`. */
export type ApplicationSpec = z.infer<typeof applicationSpecSchema>;
/** A Helm parameter override. */
export type HelmParameter = z.infer<typeof helmParameterSchema>;
