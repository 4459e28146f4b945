import { z } from 'zod';
import {
  conditionSchema,
  kubeObjectSchema,
  paramSchema,
  refSchema,
  runResultSchema,
  whenExpressionSchema,
  workspaceBindingSchema,
} from './common.js';
import { pipelineSpecSchema } from './pipeline.js';
import { stepStateSchema, taskSpecSchema } from './task.js';

/** `PipelineRun.spec.timeouts` as Go duration strings (`1h0m0s`; `"0"` means none). */
export const pipelineRunTimeoutsSchema = z.looseObject({
  pipeline: z.string().optional(),
  tasks: z.string().optional(),
  finally: z.string().optional(),
});

/** Values of `PipelineRun.spec.status`. */
export const pipelineRunSpecStatusSchema = z.enum([
  'Cancelled',
  'CancelledRunFinally',
  'StoppedRunFinally',
  'PipelineRunPending',
]);

/** `PipelineRun.spec`. */
export const pipelineRunSpecSchema = z.looseObject({
  pipelineRef: refSchema.optional(),
  pipelineSpec: pipelineSpecSchema.optional(),
  params: z.array(paramSchema).optional(),
  status: pipelineRunSpecStatusSchema.optional(),
  timeouts: pipelineRunTimeoutsSchema.optional(),
  taskRunTemplate: z
    .looseObject({ serviceAccountName: z.string().optional(), podTemplate: z.unknown().optional() })
    .optional(),
  workspaces: z.array(workspaceBindingSchema).optional(),
  taskRunSpecs: z.array(z.looseObject({ pipelineTaskName: z.string() })).optional(),
  managedBy: z.string().optional(),
});

/** A child reference in `PipelineRun.status.childReferences`; carries no status of its own. */
export const childReferenceSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string(),
  name: z.string(),
  displayName: z.string().optional(),
  pipelineTaskName: z.string().optional(),
  whenExpressions: z.array(whenExpressionSchema).optional(),
});

/** `PipelineRun.status`. */
export const pipelineRunStatusSchema = z.looseObject({
  conditions: z.array(conditionSchema).optional(),
  observedGeneration: z.number().optional(),
  startTime: z.string().optional(),
  completionTime: z.string().optional(),
  finallyStartTime: z.string().optional(),
  results: z.array(runResultSchema).optional(),
  pipelineSpec: pipelineSpecSchema.optional(),
  skippedTasks: z.array(z.looseObject({ name: z.string(), reason: z.string().optional() })).optional(),
  childReferences: z.array(childReferenceSchema).optional(),
});

/** `tekton.dev/v1` PipelineRun. */
export const pipelineRunSchema = kubeObjectSchema(
  'PipelineRun',
  pipelineRunSpecSchema,
  pipelineRunStatusSchema,
);
/** A PipelineRun. */
export type PipelineRun = z.infer<typeof pipelineRunSchema>;

/** `TaskRun.spec`. */
export const taskRunSpecSchema = z.looseObject({
  params: z.array(paramSchema).optional(),
  serviceAccountName: z.string().optional(),
  taskRef: refSchema.optional(),
  taskSpec: taskSpecSchema.optional(),
  status: z.enum(['TaskRunCancelled', 'TaskRunPending']).optional(),
  statusMessage: z.string().optional(),
  retries: z.number().int().min(0).optional(),
  timeout: z.string().optional(),
  workspaces: z.array(workspaceBindingSchema).optional(),
  managedBy: z.string().optional(),
});

/** `TaskRun.status`. */
export const taskRunStatusSchema = z.looseObject({
  conditions: z.array(conditionSchema).optional(),
  podName: z.string().optional(),
  startTime: z.string().optional(),
  completionTime: z.string().optional(),
  steps: z.array(stepStateSchema).optional(),
  retriesStatus: z
    .array(
      z.looseObject({
        podName: z.string().optional(),
        conditions: z.array(conditionSchema).optional(),
        startTime: z.string().optional(),
        completionTime: z.string().optional(),
        steps: z.array(stepStateSchema).optional(),
      }),
    )
    .optional(),
  results: z.array(runResultSchema).optional(),
  taskSpec: taskSpecSchema.optional(),
});

/** `tekton.dev/v1` TaskRun. */
export const taskRunSchema = kubeObjectSchema('TaskRun', taskRunSpecSchema, taskRunStatusSchema);
/** A TaskRun. */
export type TaskRun = z.infer<typeof taskRunSchema>;
