import { join } from 'node:path';
import { type ResourceType, TektonClient } from '@gitops-kit/tekton-client';
import { KubeEmulator } from '@gitops-kit/testkit';
import { afterAll, beforeAll } from 'vitest';
import { stringify } from 'yaml';
import { z } from 'zod';
import { GITOPS_FLOW_VERSION, type RenderedReleaseTekton } from '../src/index.js';
import type { ReleaseEnvironment } from './release-environment.js';
import { renderedStep } from './tekton-step-runner.js';

/** Fixtures of the tests that run rendered release Tasks in the KubeEmulator. */
export const NAMESPACE = 'ci';
const core = (plural: string, kind: string): ResourceType => ({ group: '', version: 'v1', plural, kind });
export const SECRET = core('secrets', 'Secret');
export const CONFIG_MAP = core('configmaps', 'ConfigMap');

export const anyObject = z.looseObject({});

export function secret(name: string, data: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name },
    data: Object.fromEntries(
      Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
    ),
  };
}

export function configMap(key: string, text: string, name = 'stages'): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { [key]: text } };
}

/** The git and Argo CD Secrets the Task mounts (replaced when they exist). */
export async function createSecrets(
  tekton: TektonClient,
  passwords: { gitPassword: string; argocdPassword: string },
  replace = false,
): Promise<void> {
  for (const [name, data] of [
    ['git-credentials', { username: 'deployer', password: passwords.gitPassword }],
    ['argocd-credentials', { username: 'admin', password: passwords.argocdPassword }],
  ] as const) {
    if (replace) await tekton.transport.delete(SECRET, NAMESPACE, name).catch(() => undefined);
    await tekton.transport.create(SECRET, NAMESPACE, secret(name, data), anyObject);
  }
}

export async function logLines(tekton: TektonClient, run: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const entry of tekton.pipelineRuns.logs(run)) lines.push(entry.line);
  return lines;
}

/** The built CLI of this checkout, which the scripted `npx` of a rendered step runs in place of the package. */
export const CLI = join(import.meta.dirname, '..', 'bin', 'gitops-flow.js');

/**
 * A scripted `npx` that checks it is asked for this package's version, drops those two arguments, then runs `body`
 * (a shell script over "$@").
 */
export function npxOfThisVersion(body: string): string {
  return `#!/bin/sh\n[ "$1" = --yes ] && [ "$2" = "@gitops-kit/gitops-flow@${GITOPS_FLOW_VERSION}" ] || exit 97\nshift 2\n${body}`;
}

/** A KubeEmulator with Tekton in {@link NAMESPACE} and a client of it that polls logs quickly. */
export async function startTekton(): Promise<{ kube: KubeEmulator; tekton: TektonClient }> {
  const kube = await KubeEmulator.start({ namespace: NAMESPACE });
  const tekton = new TektonClient({
    server: kube.url,
    token: kube.token,
    namespace: NAMESPACE,
    logPollIntervalMs: 50,
  });
  return { kube, tekton };
}

/** Starts a KubeEmulator with Tekton (see {@link startTekton}) before the suite's tests and stops it after them. */
export function useTekton(): { kube: KubeEmulator; tekton: TektonClient } {
  const cluster = {} as { kube: KubeEmulator; tekton: TektonClient };
  beforeAll(async () => {
    Object.assign(cluster, await startTekton());
  });
  afterAll(async () => {
    await cluster.kube?.stop();
  });
  return cluster;
}

/**
 * Scripts the TaskRuns of `target` (a pipeline task or Task name) as the rendered step `release` of the Task
 * gitops-release, with `npx` as the shell script its npx runs.
 */
export function scriptReleaseStep(kube: KubeEmulator, target: string, npx: string): void {
  kube.scriptTask(
    target,
    renderedStep(kube, { namespace: NAMESPACE, task: 'gitops-release', step: 'release', npx }),
  );
}

/** Applies the rendered Task and Pipeline (admission: a denial is a 400 that apply throws). */
export async function applyRendered(tekton: TektonClient, rendered: RenderedReleaseTekton): Promise<void> {
  await tekton.tasks.apply(rendered.task as unknown as Record<string, unknown>);
  await tekton.pipelines.apply(rendered.pipeline as unknown as Record<string, unknown>);
}

/**
 * What a standalone release Pipeline of `env` reads: the git and Argo CD Secrets, the GitLab token Secret and the
 * stages file in the ConfigMap `release-stages`.
 */
export async function createReleaseInputs(tekton: TektonClient, env: ReleaseEnvironment): Promise<void> {
  await createSecrets(tekton, { gitPassword: env.gitPassword, argocdPassword: env.argocdPassword }, true);
  await tekton.transport.create(
    SECRET,
    NAMESPACE,
    secret('gitlab-token', { token: env.gitlab.token }),
    anyObject,
  );
  const stages = stringify({
    apiVersion: 'gitops-kit.dev/v1alpha1',
    kind: 'ReleaseStages',
    stages: env.stages,
  });
  await tekton.transport.create(
    CONFIG_MAP,
    NAMESPACE,
    configMap('stages.yaml', stages, 'release-stages'),
    anyObject,
  );
}

/** Starts the Pipeline `pipeline` for the image tag `tag` against `env`, waits for its end and reads its log. */
export async function runReleasePipeline(
  tekton: TektonClient,
  env: ReleaseEnvironment,
  pipeline: string,
  tag: string,
  timeoutMs: number,
): Promise<{
  name: string;
  outcome: Awaited<ReturnType<TektonClient['pipelineRuns']['waitForCompletion']>>;
  lines: string[];
}> {
  const run = await tekton.pipelineRuns.start({
    pipelineRef: { name: pipeline },
    params: { image_tag: tag, argocd_server: env.argocd.url, gitlab_url: env.gitlab.url },
  });
  const name = run.metadata.name as string;
  const outcome = await tekton.pipelineRuns.waitForCompletion(name, { timeoutMs });
  const lines = await logLines(tekton, name);
  return { name, outcome, lines };
}
