import { z } from 'zod';
import {
  kubeObjectSchema,
  paramSchema,
  paramSpecSchema,
  paramValueSchema,
  refSchema,
  whenExpressionSchema,
} from './common.js';
import { taskSpecSchema } from './task.js';

/** A workspace handed from the pipeline to one of its tasks. */
export const pipelineWorkspaceBindingSchema = z.looseObject({
  name: z.string().min(1),
  workspace: z.string().optional(),
  subPath: z.string().optional(),
});

/** One task of a Pipeline (`tasks` or `finally`). */
export const pipelineTaskSchema = z.looseObject({
  name: z.string().min(1),
  displayName: z.string().optional(),
  description: z.string().optional(),
  taskRef: refSchema.optional(),
  taskSpec: taskSpecSchema.optional(),
  pipelineRef: refSchema.optional(),
  pipelineSpec: z.record(z.string(), z.unknown()).optional(),
  when: z.array(whenExpressionSchema).optional(),
  retries: z.number().int().min(0).optional(),
  runAfter: z.array(z.string()).optional(),
  params: z.array(paramSchema).optional(),
  matrix: z
    .looseObject({
      params: z.array(paramSchema).optional(),
      include: z
        .array(z.looseObject({ name: z.string().optional(), params: z.array(paramSchema).optional() }))
        .optional(),
    })
    .optional(),
  workspaces: z.array(pipelineWorkspaceBindingSchema).optional(),
  timeout: z.string().optional(),
  onError: z.enum(['continue', 'stopAndFail']).optional(),
});
/** One task of a Pipeline. */
export type PipelineTask = z.infer<typeof pipelineTaskSchema>;

/** `Pipeline.spec`, also used for embedded `pipelineSpec`. */
export const pipelineSpecSchema = z.looseObject({
  displayName: z.string().optional(),
  description: z.string().optional(),
  params: z.array(paramSpecSchema).optional(),
  workspaces: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        description: z.string().optional(),
        optional: z.boolean().optional(),
      }),
    )
    .optional(),
  results: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        type: z.string().optional(),
        description: z.string().optional(),
        value: paramValueSchema,
      }),
    )
    .optional(),
  tasks: z.array(pipelineTaskSchema).optional(),
  finally: z.array(pipelineTaskSchema).optional(),
});
/** A Pipeline spec. */
export type PipelineSpec = z.infer<typeof pipelineSpecSchema>;

/** `tekton.dev/v1` Pipeline. */
export const pipelineSchema = kubeObjectSchema('Pipeline', pipelineSpecSchema, z.unknown());
/** A Pipeline. */
export type Pipeline = z.infer<typeof pipelineSchema>;
