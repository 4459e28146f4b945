import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { TriggerTemplate } from '../src/schemas/triggers.js';
import { renderTriggerTemplate } from '../src/triggers/render-trigger-template.js';
import { PIPELINE, startEmulator } from './helpers/emulator.js';

const secretToken = `canary-${Math.random().toString(36).slice(2)}`;

const template: TriggerTemplate = {
  apiVersion: 'triggers.tekton.dev/v1beta1',
  kind: 'TriggerTemplate',
  metadata: { name: 'gitlab-template', namespace: 'ci' },
  spec: {
    params: [{ name: 'gitrevision' }, { name: 'gitrepositoryurl' }, { name: 'message', default: 'none' }],
    resourcetemplates: [
      {
        apiVersion: 'tekton.dev/v1',
        kind: 'PipelineRun',
        metadata: { generateName: 'gitlab-run-' },
        spec: {
          pipelineRef: { name: 'gitops-ci' },
          params: [{ name: 'revision', value: '$(tt.params.gitrevision)' }],
          workspaces: [{ name: 'shared', emptyDir: {} }],
          taskRunTemplate: { serviceAccountName: 'pipeline-sa' },
        },
      },
    ],
  },
};

let env: Awaited<ReturnType<typeof startEmulator>> | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

describe('renderTriggerTemplate', () => {
  it('substitutes $(tt.params.x), applies defaults, escapes $( in values and JSON-escapes quotes', () => {
    const withMessage: TriggerTemplate = {
      ...template,
      spec: {
        ...template.spec,
        resourcetemplates: [
          {
            kind: 'ConfigMap',
            data: { m: '$(tt.params.message)', id: '$(uid)', rev: '$(tt.params.gitrevision)' },
          },
        ],
      },
    };
    const [rendered] = renderTriggerTemplate(
      withMessage,
      { gitrevision: 'abc', gitrepositoryurl: 'u', message: 'say "hi" $(whoami)' },
      { uid: 'u-1' },
    );
    expect(rendered).toEqual({
      kind: 'ConfigMap',
      data: { m: 'say "hi" $$(whoami)', id: 'u-1', rev: 'abc' },
    });
    const [defaults] = renderTriggerTemplate(withMessage, { gitrevision: 'abc', gitrepositoryurl: 'u' });
    expect((defaults as { data: { m: string } }).data.m).toBe('none');
    expect(() => renderTriggerTemplate(template, { gitrevision: 'abc' })).toThrow(/gitrepositoryurl/);
  });
});

describe('sendGitLabPushEvent', () => {
  it('posts a push event and finds the PipelineRun by the event-id label; a wrong token is never leaked', async () => {
    env = await startEmulator({ eventListenerDelayMs: 200 });
    env.kube.apply([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'gitlab-secret', namespace: 'ci' },
        data: { secretToken: Buffer.from(secretToken).toString('base64') },
      },
      {
        apiVersion: 'triggers.tekton.dev/v1beta1',
        kind: 'TriggerBinding',
        metadata: { name: 'gitlab-binding', namespace: 'ci' },
        spec: {
          params: [
            { name: 'gitrevision', value: '$(body.checkout_sha)' },
            { name: 'gitrepositoryurl', value: '$(body.repository.git_http_url)' },
          ],
        },
      },
      template as unknown as Record<string, unknown>,
      {
        apiVersion: 'triggers.tekton.dev/v1beta1',
        kind: 'EventListener',
        metadata: { name: 'gitlab-listener', namespace: 'ci' },
        spec: {
          triggers: [
            {
              name: 'push',
              interceptors: [
                {
                  ref: { name: 'gitlab' },
                  params: [
                    { name: 'secretRef', value: { secretName: 'gitlab-secret', secretKey: 'secretToken' } },
                    { name: 'eventTypes', value: ['Push Hook'] },
                  ],
                },
              ],
              bindings: [{ ref: 'gitlab-binding' }],
              template: { ref: 'gitlab-template' },
            },
          ],
        },
      },
    ]);
    await env.client.pipelines.apply(PIPELINE);
    const payload = {
      object_kind: 'push',
      checkout_sha: 'f00dfeed',
      repository: { git_http_url: 'http://git.example/app.git' },
    };
    const url = env.kube.eventListenerUrl('gitlab-listener');
    const result = await env.client.sendGitLabPushEvent(url, payload, {
      secretToken,
      findRunTimeoutMs: 10_000,
      http: { proxy: false },
    });
    expect(result.eventId).toMatch(/\S+/);
    expect(result.pipelineRun?.metadata.name).toMatch(/^gitlab-run-/);
    expect(result.pipelineRun?.metadata.labels?.['triggers.tekton.dev/triggers-eventid']).toBe(
      result.eventId,
    );
    expect(result.pipelineRun?.spec.params).toEqual([{ name: 'revision', value: 'f00dfeed' }]);

    // The listener answers 202 even when the interceptor rejects the token: the run never appears.
    const error = await env.client
      .sendGitLabPushEvent(url, payload, {
        secretToken: `${secretToken}-wrong`,
        findRunTimeoutMs: 700,
        http: { proxy: false },
      })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'WAIT_TIMEOUT' });
    expect(inspect(error, { depth: Number.POSITIVE_INFINITY })).not.toContain(secretToken);
  });
});
