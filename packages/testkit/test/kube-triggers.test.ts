import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeEmulator } from '../src/kube/index.js';
import { isFinished, succeeded } from './kube-test-helpers.js';

const SETUP = `
apiVersion: v1
kind: Secret
metadata: { name: gitlab-secret }
stringData: { secretToken: canary-webhook-token }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata: { name: gitlab-push }
spec:
  params:
    - { name: revision, value: "$(body.checkout_sha)" }
    - { name: url, value: "$(body.repository.git_http_url)" }
    - { name: event, value: "$(header.X-Gitlab-Event)" }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata: { name: gitlab-run }
spec:
  params: [{ name: revision }, { name: url }, { name: event }, { name: sa, default: pipeline-runner }]
  resourcetemplates:
    - apiVersion: tekton.dev/v1
      kind: PipelineRun
      metadata: { generateName: gitlab-run- }
      spec:
        params: [{ name: revision, value: "$(tt.params.revision)" }, { name: url, value: "$(tt.params.url)" }, { name: event, value: "$(tt.params.event)" }]
        taskRunTemplate: { serviceAccountName: "$(tt.params.sa)" }
        pipelineSpec:
          params: [{ name: revision }, { name: url }, { name: event }]
          tasks: [{ name: clone, taskSpec: { steps: [{ name: fetch, image: git }] } }]
---
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: { name: gitlab-listener }
spec:
  serviceAccountName: tekton-triggers
  triggers:
    - name: push
      interceptors:
        - ref: { name: gitlab }
          params:
            - { name: secretRef, value: { secretName: gitlab-secret, secretKey: secretToken } }
            - { name: eventTypes, value: ["Push Hook"] }
      bindings: [{ ref: gitlab-push }]
      template: { ref: gitlab-run }
`;

const PUSH = { checkout_sha: 'c0ffee', repository: { git_http_url: 'https://gitlab.example/app.git' } };

let kube: KubeEmulator;

beforeEach(async () => {
  kube = await KubeEmulator.start({ timeScale: 10, eventListenerDelayMs: 3000 });
  kube.apply(SETUP);
});

afterEach(async () => {
  await kube.stop();
});

function post(headers: Record<string, string>, body: unknown = PUSH): Promise<Response> {
  return fetch(kube.eventListenerUrl('gitlab-listener'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('EventListener', () => {
  it('answers 202 with an event id before the run exists, then creates a labelled PipelineRun from the template', async () => {
    const response = await post({ 'X-Gitlab-Event': 'Push Hook', 'X-Gitlab-Token': 'canary-webhook-token' });
    expect(response.status).toBe(202);
    const reply = (await response.json()) as {
      eventID: string;
      eventListener: string;
      namespace: string;
      eventListenerUID: string;
    };
    expect(reply).toMatchObject({ eventListener: 'gitlab-listener', namespace: 'default' });
    expect(reply.eventListenerUID).toBe(
      kube.getObject({ kind: 'EventListener', name: 'gitlab-listener' })?.metadata.uid,
    );
    const listener = kube.getObject({ kind: 'EventListener', name: 'gitlab-listener' });
    expect(listener?.['status']).toMatchObject({ address: { url: expect.any(String) } });
    expect((listener?.['status'] as { address?: { url: string } } | undefined)?.address?.url).toBe(
      kube.eventListenerUrl('gitlab-listener'),
    );
    expect(kube.listObjects('PipelineRun')).toEqual([]);
    await kube.eventListenerDeliveries[0]?.settled;
    const runs = kube.listObjects('PipelineRun');
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run.metadata.name).toMatch(/^gitlab-run-[a-z0-9]{5}$/);
    expect(run.metadata.labels).toMatchObject({
      'triggers.tekton.dev/triggers-eventid': reply.eventID,
      'triggers.tekton.dev/eventlistener': 'gitlab-listener',
      'triggers.tekton.dev/trigger': 'push',
    });
    const spec = run['spec'] as { params: unknown; taskRunTemplate: unknown };
    expect(spec.params).toEqual([
      { name: 'revision', value: 'c0ffee' },
      { name: 'url', value: 'https://gitlab.example/app.git' },
      { name: 'event', value: 'Push Hook' },
    ]);
    expect(spec.taskRunTemplate).toEqual({ serviceAccountName: 'pipeline-runner' });
    const finished = await kube.waitForObject({ kind: 'PipelineRun', name: run.metadata.name }, isFinished);
    expect(succeeded(finished)?.reason).toBe('Succeeded');
  });

  it('rejects a wrong or missing token and other event types, still answering 202', async () => {
    for (const headers of [
      { 'X-Gitlab-Event': 'Push Hook', 'X-Gitlab-Token': 'wrong' },
      { 'X-Gitlab-Event': 'Push Hook' },
      { 'X-Gitlab-Event': 'Merge Request Hook', 'X-Gitlab-Token': 'canary-webhook-token' },
    ]) {
      expect((await post(headers)).status).toBe(202);
    }
    await Promise.all(kube.eventListenerDeliveries.map((delivery) => delivery.settled));
    expect(kube.eventListenerDeliveries.map((delivery) => delivery.triggers[0]?.message)).toEqual([
      'Invalid X-Gitlab-Token',
      'no X-Gitlab-Token header set',
      'event type Merge Request Hook is not allowed',
    ]);
    expect(
      kube.eventListenerDeliveries.every((delivery) => delivery.triggers[0]?.result === 'rejected'),
    ).toBe(true);
    expect(kube.listObjects('PipelineRun')).toEqual([]);
  });

  it('reports a binding that cannot be resolved and answers 404 for an unknown listener', async () => {
    expect(
      (
        await post(
          { 'X-Gitlab-Event': 'Push Hook', 'X-Gitlab-Token': 'canary-webhook-token' },
          { checkout_sha: 'x' },
        )
      ).status,
    ).toBe(202);
    await kube.eventListenerDeliveries[0]?.settled;
    expect(kube.eventListenerDeliveries[0]?.triggers[0]).toMatchObject({
      result: 'failed',
      message: expect.stringContaining('body.repository.git_http_url'),
    });
    const unknown = await fetch(kube.eventListenerUrl('absent'), { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
  });

  it('fails the triggers of a malformed listener without a rejection that would end the process', async () => {
    kube.apply({
      apiVersion: 'triggers.tekton.dev/v1beta1',
      kind: 'EventListener',
      metadata: { name: 'broken' },
      spec: { triggers: [null] },
    });
    const response = await fetch(kube.eventListenerUrl('broken'), { method: 'POST', body: '{}' });
    expect(response.status).toBe(202);
    const delivery = kube.eventListenerDeliveries.find((entry) => entry.eventListener === 'broken');
    await delivery?.settled;
    expect(delivery?.triggers).toEqual([
      { trigger: '#0', result: 'failed', message: expect.any(String), created: [] },
    ]);
  });
});

describe('namespaces', () => {
  it('puts objects without a namespace into the emulator namespace and serves the sink there', async () => {
    const scoped = await KubeEmulator.start({ namespace: 'ci' });
    try {
      scoped.apply(SETUP);
      expect(scoped.getObject({ kind: 'EventListener', name: 'gitlab-listener' })?.metadata.namespace).toBe(
        'ci',
      );
      expect(scoped.listObjects('Secret', 'default')).toEqual([]);
      expect(scoped.eventListenerUrl('gitlab-listener')).toBe(
        `${scoped.url}/eventlisteners/ci/gitlab-listener`,
      );
      const response = await fetch(scoped.eventListenerUrl('gitlab-listener'), {
        method: 'POST',
        headers: { 'X-Gitlab-Event': 'Push Hook', 'X-Gitlab-Token': 'canary-webhook-token' },
        body: JSON.stringify(PUSH),
      });
      expect(response.status).toBe(202);
      await scoped.eventListenerDeliveries[0]?.settled;
      expect(scoped.listObjects('PipelineRun', 'ci')).toHaveLength(1);
    } finally {
      await scoped.stop();
    }
  });
});
