import { z } from 'zod';

/** `clusters[].cluster` with client-go's field names. */
export const kubeconfigClusterSchema = z.looseObject({
  server: z.string().optional(),
  'tls-server-name': z.string().optional(),
  'insecure-skip-tls-verify': z.boolean().optional(),
  'certificate-authority': z.string().optional(),
  'certificate-authority-data': z.string().optional(),
  'proxy-url': z.string().optional(),
});
/** A kubeconfig cluster entry. */
export type KubeconfigCluster = z.infer<typeof kubeconfigClusterSchema>;

/** `users[].user.exec`: an exec credential plugin. */
export const execConfigSchema = z.looseObject({
  apiVersion: z.string().optional(),
  command: z.string().min(1),
  args: z.array(z.string()).nullable().optional(),
  env: z
    .array(z.looseObject({ name: z.string(), value: z.string() }))
    .nullable()
    .optional(),
  provideClusterInfo: z.boolean().optional(),
  interactiveMode: z.string().optional(),
  installHint: z.string().optional(),
});
/** An exec credential plugin configuration. */
export type ExecConfig = z.infer<typeof execConfigSchema>;

/** `users[].user` with client-go's field names. */
export const kubeconfigUserSchema = z.looseObject({
  'client-certificate': z.string().optional(),
  'client-certificate-data': z.string().optional(),
  'client-key': z.string().optional(),
  'client-key-data': z.string().optional(),
  token: z.string().optional(),
  tokenFile: z.string().optional(),
  as: z.string().optional(),
  'as-uid': z.string().optional(),
  'as-groups': z.array(z.string()).nullable().optional(),
  'as-user-extra': z.record(z.string(), z.array(z.string())).nullable().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  'auth-provider': z
    .looseObject({ name: z.string(), config: z.record(z.string(), z.string()).optional() })
    .optional(),
  exec: execConfigSchema.optional(),
});
/** A kubeconfig user entry. */
export type KubeconfigUser = z.infer<typeof kubeconfigUserSchema>;

/** `contexts[].context`. */
export const kubeconfigContextSchema = z.looseObject({
  cluster: z.string(),
  user: z.string().optional(),
  namespace: z.string().optional(),
});
/** A kubeconfig context entry. */
export type KubeconfigContext = z.infer<typeof kubeconfigContextSchema>;

/** One kubeconfig file as written by kubectl. */
export const kubeconfigFileSchema = z.looseObject({
  'current-context': z.string().optional(),
  clusters: z
    .array(z.looseObject({ name: z.string(), cluster: kubeconfigClusterSchema.optional() }))
    .nullable()
    .optional(),
  users: z
    .array(z.looseObject({ name: z.string(), user: kubeconfigUserSchema.nullable().optional() }))
    .nullable()
    .optional(),
  contexts: z
    .array(z.looseObject({ name: z.string(), context: kubeconfigContextSchema.optional() }))
    .nullable()
    .optional(),
});
