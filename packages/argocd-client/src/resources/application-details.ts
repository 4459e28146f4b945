import { z } from 'zod';

// Responses of the diagnostic endpoints. Only the fields we read are typed; everything else passes through.

/** `GET /api/v1/applications/{name}/managed-resources`: live vs target state per resource (JSON strings). */
export const managedResourcesSchema = z.looseObject({
  items: z
    .array(
      z.looseObject({
        group: z.string().optional(),
        kind: z.string().optional(),
        namespace: z.string().optional(),
        name: z.string().optional(),
        liveState: z.string().optional(),
        targetState: z.string().optional(),
        normalizedLiveState: z.string().optional(),
        predictedLiveState: z.string().optional(),
        modified: z.boolean().optional(),
        hook: z.boolean().optional(),
      }),
    )
    .nullish(),
});

/** `GET /api/v1/applications/{name}/events`: Kubernetes Events. */
export const eventListSchema = z.looseObject({
  items: z
    .array(
      z.looseObject({
        type: z.string().optional(),
        reason: z.string().optional(),
        message: z.string().optional(),
        count: z.number().optional(),
        firstTimestamp: z.string().nullish(),
        lastTimestamp: z.string().nullish(),
        involvedObject: z
          .looseObject({
            kind: z.string().optional(),
            name: z.string().optional(),
            namespace: z.string().optional(),
          })
          .nullish(),
      }),
    )
    .nullish(),
});

/** `GET /api/v1/applications/{name}/manifests`: rendered manifests (JSON strings) at a revision. */
export const manifestResponseSchema = z.looseObject({
  manifests: z.array(z.string()).nullish(),
  revision: z.string().optional(),
  namespace: z.string().optional(),
  server: z.string().optional(),
  sourceType: z.string().optional(),
});

/** `GET /api/v1/applications/{name}/revisions/{revision}/metadata`: the commit behind a revision. */
export const revisionMetadataSchema = z.looseObject({
  author: z.string().optional(),
  date: z.string().optional(),
  message: z.string().optional(),
  tags: z.array(z.string()).nullish(),
  signatureInfo: z.string().optional(),
});

/** Live vs target states. */
export type ManagedResources = z.infer<typeof managedResourcesSchema>;
/** Kubernetes events of an application or one of its resources. */
export type EventList = z.infer<typeof eventListSchema>;
/** Rendered manifests. */
export type ManifestResponse = z.infer<typeof manifestResponseSchema>;
/** Commit metadata. */
export type RevisionMetadata = z.infer<typeof revisionMetadataSchema>;
