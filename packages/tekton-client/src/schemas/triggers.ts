import { z } from 'zod';
import { kubeObjectSchema } from './common.js';

/** `triggers.tekton.dev/v1beta1` TriggerTemplate: string params and raw resource templates. */
export const triggerTemplateSchema = kubeObjectSchema(
  'TriggerTemplate',
  z.looseObject({
    params: z
      .array(
        z.looseObject({
          name: z.string().min(1),
          description: z.string().optional(),
          default: z.string().optional(),
        }),
      )
      .optional(),
    resourcetemplates: z.array(z.record(z.string(), z.unknown())).optional(),
  }),
  z.unknown(),
);
/** A TriggerTemplate. */
export type TriggerTemplate = z.infer<typeof triggerTemplateSchema>;

/** TriggerBinding: params whose values are `$(body.x)`, `$(header.X)`, `$(extensions.x)` expressions. */
export const triggerBindingSchema = kubeObjectSchema(
  'TriggerBinding',
  z.looseObject({
    params: z.array(z.looseObject({ name: z.string().min(1), value: z.string() })).optional(),
  }),
  z.unknown(),
);
/** A TriggerBinding. */
export type TriggerBinding = z.infer<typeof triggerBindingSchema>;

const eventListenerTriggerSchema = z.looseObject({
  name: z.string().optional(),
  interceptors: z
    .array(
      z.looseObject({
        name: z.string().optional(),
        ref: z.looseObject({ name: z.string(), kind: z.string().optional() }).optional(),
        params: z.array(z.looseObject({ name: z.string(), value: z.unknown() })).optional(),
      }),
    )
    .optional(),
  bindings: z
    .array(
      z.looseObject({
        name: z.string().optional(),
        value: z.string().optional(),
        ref: z.string().optional(),
        kind: z.string().optional(),
      }),
    )
    .optional(),
  template: z.looseObject({ ref: z.string().optional(), spec: z.unknown().optional() }).optional(),
  triggerRef: z.string().optional(),
  serviceAccountName: z.string().optional(),
});

/** EventListener: the HTTP sink that runs interceptors, bindings and a template per trigger. */
export const eventListenerSchema = kubeObjectSchema(
  'EventListener',
  z.looseObject({
    serviceAccountName: z.string().optional(),
    triggers: z.array(eventListenerTriggerSchema).optional(),
  }),
  z.unknown(),
);
/** An EventListener. */
export type EventListener = z.infer<typeof eventListenerSchema>;
