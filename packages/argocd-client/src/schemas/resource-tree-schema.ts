import { z } from 'zod';
import { healthStatusSchema } from './status-schemas.js';

/** A reference to a Kubernetes object (`v1alpha1ResourceRef`). */
export const resourceRefSchema = z.looseObject({
  group: z.string().optional(),
  version: z.string().optional(),
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  uid: z.string().optional(),
});

/**
 * A live resource in the tree (`v1alpha1ResourceNode` = ResourceRef fields + its own: the swagger's `allOf`,
 * which naive generators collapse into ResourceRef alone).
 */
export const resourceNodeSchema = resourceRefSchema.extend({
  health: healthStatusSchema.nullish(),
  parentRefs: z.array(resourceRefSchema).nullish(),
  info: z.array(z.looseObject({ name: z.string().optional(), value: z.string().optional() })).nullish(),
  networkingInfo: z
    .looseObject({
      ingress: z
        .array(z.looseObject({ ip: z.string().optional(), hostname: z.string().optional() }))
        .nullish(),
      externalURLs: z.array(z.string()).nullish(),
    })
    .nullish(),
  images: z.array(z.string()).nullish(),
  resourceVersion: z.string().optional(),
  createdAt: z.string().optional(),
});

/** `GET /api/v1/applications/{name}/resource-tree`. */
export const applicationTreeSchema = z.looseObject({
  nodes: z.array(resourceNodeSchema).nullish(),
  orphanedNodes: z.array(resourceNodeSchema).nullish(),
  hosts: z.array(z.looseObject({ name: z.string().optional() })).nullish(),
});

/** A node of the resource tree. */
export type ResourceNode = z.infer<typeof resourceNodeSchema>;
/** The resource tree of an application. */
export type ApplicationTree = z.infer<typeof applicationTreeSchema>;
