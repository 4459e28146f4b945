import { z } from 'zod';
import {
  kubeObjectSchema,
  paramSchema,
  paramSpecSchema,
  refSchema,
  taskResultSchema,
  whenExpressionSchema,
} from './common.js';

/** A workspace a Task declares. */
export const workspaceDeclarationSchema = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  mountPath: z.string().optional(),
  readOnly: z.boolean().optional(),
  optional: z.boolean().optional(),
});

/** One step of a Task: a container, or a reference to a StepAction. */
export const stepSchema = z.looseObject({
  name: z.string().optional(),
  displayName: z.string().optional(),
  image: z.string().optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  workingDir: z.string().optional(),
  env: z.array(z.looseObject({ name: z.string() })).optional(),
  script: z.string().optional(),
  timeout: z.string().optional(),
  /** `continue` or `stopAndFail`, or a `$(params.x)` that resolves to one of them. */
  onError: z.string().optional(),
  ref: refSchema.optional(),
  params: z.array(paramSchema).optional(),
  results: z.array(taskResultSchema).optional(),
  when: z.array(whenExpressionSchema).optional(),
});
/** One step of a Task. */
export type Step = z.infer<typeof stepSchema>;

/** `Task.spec`, also used for embedded `taskSpec`. */
export const taskSpecSchema = z.looseObject({
  displayName: z.string().optional(),
  description: z.string().optional(),
  params: z.array(paramSpecSchema).optional(),
  steps: z.array(stepSchema).optional(),
  stepTemplate: z.record(z.string(), z.unknown()).optional(),
  sidecars: z.array(z.looseObject({ name: z.string().optional() })).optional(),
  volumes: z.array(z.looseObject({ name: z.string() })).optional(),
  workspaces: z.array(workspaceDeclarationSchema).optional(),
  results: z.array(taskResultSchema).optional(),
});
/** A Task spec. */
export type TaskSpec = z.infer<typeof taskSpecSchema>;

/** `tekton.dev/v1` Task. */
export const taskSchema = kubeObjectSchema('Task', taskSpecSchema, z.unknown());
/** A Task. */
export type Task = z.infer<typeof taskSchema>;

/** `StepAction.spec`: a single reusable step. */
export const stepActionSpecSchema = z.looseObject({
  image: z.string().optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  script: z.string().optional(),
  params: z.array(paramSpecSchema).optional(),
  results: z.array(taskResultSchema).optional(),
});

/** StepAction (`tekton.dev/v1beta1`, also served as v1alpha1). */
export const stepActionSchema = kubeObjectSchema('StepAction', stepActionSpecSchema, z.unknown());
/** A StepAction. */
export type StepAction = z.infer<typeof stepActionSchema>;

/** The state of one step container as a TaskRun reports it. */
export const stepStateSchema = z.looseObject({
  name: z.string().optional(),
  container: z.string().optional(),
  imageID: z.string().optional(),
  waiting: z.looseObject({ reason: z.string().optional(), message: z.string().optional() }).optional(),
  running: z.looseObject({ startedAt: z.string().optional() }).optional(),
  terminated: z
    .looseObject({
      exitCode: z.number(),
      reason: z.string().optional(),
      startedAt: z.string().optional(),
      finishedAt: z.string().optional(),
    })
    .optional(),
  terminationReason: z.string().optional(),
});
/** The state of one step. */
export type StepState = z.infer<typeof stepStateSchema>;
