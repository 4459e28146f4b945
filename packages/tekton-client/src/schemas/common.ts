import { z } from 'zod';

/**
 * A Tekton parameter or result value as it travels on the wire: a string, an array of strings, or a map of
 * strings (Tekton's `ParamValue` marshaller picks the shape from the first JSON byte). The swagger's
 * `{Type, StringVal, ...}` object is the Go struct, not the wire format.
 */
export const paramValueSchema = z.union([
  z.string(),
  z.array(z.string()),
  z.record(z.string(), z.string()),
  // Tekton keeps any other JSON scalar as its raw text (`default: true` arrives as the string "true").
  z.union([z.number(), z.boolean()]).transform((value) => String(value)),
]);
/** A parameter or result value: `string | string[] | Record<string, string>`. */
export type ParamValue = z.infer<typeof paramValueSchema>;

/** Kubernetes object metadata, lenient on fields this package does not read. */
export const objectMetaSchema = z.looseObject({
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().optional(),
  creationTimestamp: z.string().nullable().optional(),
  deletionTimestamp: z.string().nullable().optional(),
  labels: z.record(z.string(), z.string()).nullable().optional(),
  annotations: z.record(z.string(), z.string()).nullable().optional(),
});
/** Kubernetes object metadata. */
export type ObjectMeta = z.infer<typeof objectMetaSchema>;

/** A knative condition as Tekton reports it; `type: Succeeded` carries the run state. */
export const conditionSchema = z.looseObject({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
  severity: z.string().optional(),
});
/** A knative condition. */
export type Condition = z.infer<typeof conditionSchema>;

/** `{ name, value }` as passed to a run or a pipeline task. */
export const paramSchema = z.looseObject({ name: z.string().min(1), value: paramValueSchema });
/** A parameter binding. */
export type Param = z.infer<typeof paramSchema>;

/** A parameter declaration on a Task or Pipeline. */
export const paramSpecSchema = z.looseObject({
  name: z.string().min(1),
  type: z.enum(['string', 'array', 'object']).optional(),
  description: z.string().optional(),
  properties: z.record(z.string(), z.looseObject({ type: z.string().optional() })).optional(),
  default: paramValueSchema.optional(),
  enum: z.array(z.string()).optional(),
});
/** A parameter declaration. */
export type ParamSpec = z.infer<typeof paramSpecSchema>;

/** A result declaration on a Task or StepAction. */
export const taskResultSchema = z.looseObject({
  name: z.string().min(1),
  type: z.enum(['string', 'array', 'object']).optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
  description: z.string().optional(),
  value: paramValueSchema.optional(),
});

/** A `when` expression: `input`/`operator`/`values`, or `cel` (alpha). */
export const whenExpressionSchema = z.looseObject({
  input: z.string().optional(),
  operator: z.enum(['in', 'notin']).optional(),
  values: z.array(z.string()).optional(),
  cel: z.string().optional(),
});
/** A `when` expression. */
export type WhenExpression = z.infer<typeof whenExpressionSchema>;

/** A reference to a Task/Pipeline/StepAction by name, or through a resolver. */
export const refSchema = z.looseObject({
  name: z.string().optional(),
  kind: z.string().optional(),
  apiVersion: z.string().optional(),
  resolver: z.string().optional(),
  params: z.array(paramSchema).optional(),
});

/** How a workspace is backed in a run (exactly one source). */
export const workspaceBindingSchema = z.looseObject({
  name: z.string().min(1),
  subPath: z.string().optional(),
  volumeClaimTemplate: z.record(z.string(), z.unknown()).optional(),
  persistentVolumeClaim: z
    .looseObject({ claimName: z.string(), readOnly: z.boolean().optional() })
    .optional(),
  emptyDir: z.looseObject({ medium: z.string().optional(), sizeLimit: z.unknown().optional() }).optional(),
  configMap: z
    .looseObject({ name: z.string().optional(), items: z.array(z.unknown()).optional() })
    .optional(),
  secret: z
    .looseObject({ secretName: z.string().optional(), items: z.array(z.unknown()).optional() })
    .optional(),
  projected: z.record(z.string(), z.unknown()).optional(),
  csi: z.looseObject({ driver: z.string().optional() }).optional(),
});
/** A workspace binding. */
export type WorkspaceBinding = z.infer<typeof workspaceBindingSchema>;

/** A result as a run reports it. */
export const runResultSchema = z.looseObject({
  name: z.string(),
  type: z.string().optional(),
  value: paramValueSchema,
});

/** The envelope every Kubernetes object shares. */
export function kubeObjectSchema<Kind extends string, Spec extends z.ZodType, Status extends z.ZodType>(
  kind: Kind,
  spec: Spec,
  status: Status,
) {
  return z.looseObject({
    apiVersion: z.string(),
    kind: z.literal(kind),
    metadata: objectMetaSchema,
    spec,
    status: status.optional(),
  });
}

/** A Kubernetes list envelope. */
export function kubeListSchema<Item extends z.ZodType>(item: Item) {
  return z.looseObject({
    apiVersion: z.string().optional(),
    kind: z.string().optional(),
    metadata: z.looseObject({
      resourceVersion: z.string().optional(),
      continue: z.string().optional(),
      remainingItemCount: z.number().optional(),
    }),
    items: z.array(item),
  });
}
