import { ChangeRequestClosedError, ChangeRequestConflictError } from '@gitops-kit/forge-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  parseStagesFile,
  promoteRelease,
  ReleaseError,
  type ReleaseEvent,
  ReleaseSupersededError,
  releaseStagesJsonSchema,
  releaseStatus,
} from '../src/index.js';
import { VALUES_FILE } from './environment.js';
import { type ReleaseEnvironment, releaseOptions, startReleaseEnvironment } from './release-environment.js';

let env: ReleaseEnvironment | undefined;
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

/** Approves and merges the prod merge request as soon as it is open (what a reviewer does). */
function reviewerMergesProd(current: ReleaseEnvironment, events: ReleaseEvent[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const opened = events.find((event) => event.type === 'change-request' && event.action !== 'merged');
      if (opened === undefined || opened.type !== 'change-request') return;
      clearInterval(timer);
      current.gitlab
        .approve('team/deploy', opened.number)
        .then(() => current.gitlab.merge('team/deploy', opened.number))
        .then(resolve, reject);
    }, 10);
  });
}

describe('promoteRelease: dev → staging → prod (merge request)', { timeout: 120_000 }, () => {
  it('promotes the same values through every stage; prod lands through the approved merge request', async () => {
    env = await startReleaseEnvironment();
    const events: ReleaseEvent[] = [];
    const merged = reviewerMergesProd(env, events);
    const report = await promoteRelease(
      releaseOptions(env, 'v2', { onEvent: (event) => events.push(event) }),
    );
    const mergeCommit = await merged;
    expect(report.outcome).toBe('succeeded');
    expect(report.stages.map((stage) => [stage.name, stage.outcome])).toEqual([
      ['dev', 'promoted'],
      ['staging', 'promoted'],
      ['prod', 'promoted'],
    ]);
    for (const stage of ['dev', 'staging', 'prod']) expect(await env.tagOf(stage)).toBe('v2');
    const prod = report.stages[2];
    expect(prod?.changeRequest).toMatchObject({ number: 1, state: 'merged', mergeCommitSha: mergeCommit });
    expect(prod?.commit).toBe(mergeCommit);
    expect(prod?.promotion?.syncedRevision).toBe(mergeCommit);
    expect(prod?.previousValues).toEqual({ 'apps/app-prod/my-values.yaml': { 'image.tag': '1.0.0' } });
    // The stages run in order: prod's merge request opens only after staging was verified.
    const order = events
      .filter((e) => e.type === 'stage' || e.type === 'change-request')
      .map((e) => (e.type === 'stage' ? `${e.stage}:${e.status}` : `${e.stage}:mr-${e.action}`));
    expect(order).toEqual([
      'dev:started',
      'dev:promoted',
      'staging:started',
      'staging:promoted',
      'prod:started',
      'prod:mr-opened',
      'prod:mr-merged',
      'prod:promoted',
    ]);

    // dev and staging share main with prod: Argo CD resolves the branch to the prod merge commit on its next
    // refresh (every 200 ms here), until then it truthfully reports the older revision as synced.
    const current = env;
    const readStatus = () =>
      releaseStatus({
        stages: current.stages,
        argocd: current.client,
        gitAuth: { username: 'deployer', password: current.gitPassword },
        forges: { gitlab: current.forge },
        values: { 'image.tag': 'v2' },
      });
    await expect
      .poll(
        async () =>
          (await readStatus()).map((stage) => [
            stage.name,
            stage.values['image.tag'],
            stage.atRelease,
            stage.syncStatus,
            stage.healthStatus,
            stage.deployed,
          ]),
        { timeout: 15_000, interval: 200 },
      )
      .toEqual([
        ['dev', 'v2', true, 'Synced', 'Healthy', true],
        ['staging', 'v2', true, 'Synced', 'Healthy', true],
        ['prod', 'v2', true, 'Synced', 'Healthy', true],
      ]);
    const status = await readStatus();
    expect(status.every((stage) => stage.errors.length === 0)).toBe(true);
  });

  it('a failed prod health check stops the release at prod, reverts prod in git, leaves earlier stages promoted', async () => {
    env = await startReleaseEnvironment({ prodApprovals: 0, prodAutoMerge: true });
    env.argocd.scriptHealth({ app: 'app-prod', kind: 'Deployment', image: ':v3' }, [
      { status: 'Progressing', forMs: 200 },
      { status: 'Degraded', message: 'CrashLoopBackOff' },
    ]);
    const report = await promoteRelease(releaseOptions(env, 'v3'));
    expect(report.outcome).toBe('failed');
    expect(report.stages.map((stage) => stage.outcome)).toEqual(['promoted', 'promoted', 'failed']);
    expect(report.stages[2]?.promotion?.rollback).toMatchObject({
      policy: 'git-revert',
      outcome: 'succeeded',
    });
    expect(await env.tagOf('prod')).toBe('1.0.0');
    expect(await env.tagOf('staging')).toBe('v3');
  });

  it('a failing verify() or soak stops at that stage and never touches the later ones', async () => {
    env = await startReleaseEnvironment();
    const report = await promoteRelease(
      releaseOptions(env, 'v4', { verify: ({ stage }) => stage !== 'staging' }),
    );
    expect(report.stages.map((stage) => stage.outcome)).toEqual(['promoted', 'failed', 'not-started']);
    expect(report.stages[1]?.error?.code).toBe('VERIFICATION_FAILED');
    expect(await env.tagOf('staging')).toBe('1.0.0'); // git-revert
    expect(await env.tagOf('prod')).toBe('1.0.0');
    expect(await env.forge.changeRequests.list({ project: 'team/deploy', state: 'all' })).toEqual([]);
  });

  it('a re-run resumes: stages that hold the release are verified, not rewritten; the open merge request is reused', async () => {
    env = await startReleaseEnvironment();
    const controller = new AbortController();
    const events: ReleaseEvent[] = [];
    // First run: "crashes" (is aborted) while waiting for the prod merge request.
    const first = promoteRelease(
      releaseOptions(env, 'v5', {
        signal: controller.signal,
        onEvent: (event) => {
          events.push(event);
          if (event.type === 'change-request' && event.action === 'opened') controller.abort();
        },
      }),
    );
    await expect(first).rejects.toMatchObject({ code: 'RELEASE_FAILED' });
    const commitsBefore = (await env.git.log('deploy', 'main')).length;
    const secondEvents: ReleaseEvent[] = [];
    const merged = reviewerMergesProd(env, secondEvents);
    const report = await promoteRelease(
      releaseOptions(env, 'v5', { onEvent: (event) => secondEvents.push(event) }),
    );
    await merged;
    expect(report.stages.map((stage) => stage.outcome)).toEqual(['verified', 'verified', 'promoted']);
    expect(
      secondEvents.some((e) => e.type === 'change-request' && e.action === 'reused' && e.number === 1),
    ).toBe(true);
    // dev and staging were not rewritten; main gained only the merge of the prod branch (its commit and the merge).
    expect(report.stages.slice(0, 2).map((stage) => stage.promotion?.commit)).toEqual([null, null]);
    expect((await env.git.log('deploy', 'main')).length).toBe(commitsBefore + 2);
  });

  it('two releases racing for the same stages: the later one wins, the earlier one stops typed', async () => {
    env = await startReleaseEnvironment();
    const current = env;
    let openGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let reachedGate: () => void = () => {};
    const atGate = new Promise<void>((resolve) => {
      reachedGate = resolve;
    });
    // v6 is Healthy at staging and is being verified when v7 goes through dev and staging.
    const first = promoteRelease(
      releaseOptions(current, 'v6', {
        stages: current.stages.slice(0, 2),
        verify: async ({ stage }) => {
          if (stage === 'staging') {
            reachedGate();
            await gate;
          }
          return true;
        },
      }),
    );
    await atGate;
    const second = await promoteRelease(
      releaseOptions(current, 'v7', { stages: current.stages.slice(0, 2) }),
    );
    openGate();
    expect(second.outcome).toBe('succeeded');
    const error = await first.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReleaseSupersededError);
    expect((error as ReleaseSupersededError).stage).toBe('staging');
    expect((error as ReleaseSupersededError).report.stages.map((stage) => stage.outcome)).toEqual([
      'promoted',
      'superseded',
    ]);
    expect(await current.tagOf('staging')).toBe('v7');
    expect(await current.tagOf('dev')).toBe('v7');
  });

  it('a stage that turns Degraded during its soak fails at the gate', async () => {
    env = await startReleaseEnvironment({ soak: '3s' });
    env.argocd.scriptHealth({ app: 'app-staging', kind: 'Deployment', image: ':v9' }, [
      { status: 'Healthy', forMs: 1_500 },
      { status: 'Degraded', message: 'OOMKilled' },
    ]);
    const report = await promoteRelease(releaseOptions(env, 'v9'));
    expect(report.stages.map((stage) => stage.outcome)).toEqual(['promoted', 'failed', 'not-started']);
    expect(report.stages[1]?.error).toMatchObject({ code: 'VERIFICATION_FAILED' });
    expect(report.stages[1]?.error?.message).toMatch(/Degraded during the soak/);
    expect(await env.tagOf('staging')).toBe('1.0.0');
  });

  it('a prod merge request that conflicts or is closed stops the release at prod with a typed error', async () => {
    env = await startReleaseEnvironment();
    const current = env;
    // Someone changes prod's line on main while the merge request waits: the merge request conflicts.
    const conflicted = promoteRelease(
      releaseOptions(current, 'v10', {
        onEvent: (event) => {
          if (event.type === 'change-request' && event.action === 'opened') {
            void current.git.commit('deploy', 'main', {
              'apps/app-prod/my-values.yaml': (VALUES_FILE as string).replace(
                'tag: "1.0.0"',
                'tag: "hotfix"',
              ),
            });
          }
        },
      }),
    );
    const conflict = await conflicted.catch((caught: unknown) => caught);
    expect(conflict).toBeInstanceOf(ReleaseError);
    expect((conflict as ReleaseError).cause).toBeInstanceOf(ChangeRequestConflictError);
    expect((conflict as ReleaseError).report.stages.map((stage) => stage.outcome)).toEqual([
      'promoted',
      'promoted',
      'failed',
    ]);
    expect(await current.tagOf('prod')).toBe('hotfix');

    // A reviewer closes the next release's merge request instead of merging it.
    const closing = promoteRelease(
      releaseOptions(current, 'v11', {
        onEvent: (event) => {
          if (event.type === 'change-request' && event.action === 'opened')
            current.gitlab.close('team/deploy', event.number);
        },
      }),
    );
    const closed = await closing.catch((caught: unknown) => caught);
    expect(closed).toBeInstanceOf(ReleaseError);
    expect((closed as ReleaseError).cause).toBeInstanceOf(ChangeRequestClosedError);
    expect((closed as ReleaseError).stage).toBe('prod');
    expect(await current.tagOf('prod')).toBe('hotfix');
  });

  it('refuses invalid stages before doing anything', async () => {
    env = await startReleaseEnvironment();
    const head = (await env.git.log('deploy', 'main'))[0];
    await expect(
      promoteRelease(
        releaseOptions(env, 'v8', { stages: [...env.stages, { ...env.stages[0], name: 'dev' } as never] }),
      ),
    ).rejects.toThrow(/duplicate stage name dev/);
    await expect(promoteRelease(releaseOptions(env, 'v8', { forges: {} }))).rejects.toThrow(/forge "gitlab"/);
    await expect(promoteRelease(releaseOptions(env, 'v8', { values: { tag: 'x' } }))).rejects.toThrow(
      /image.tag/,
    );
    expect((await env.git.log('deploy', 'main'))[0]).toEqual(head);
  });
});

describe('stages files', () => {
  it('parses YAML with defaults and reports every problem with its place', () => {
    const stages = parseStagesFile(`
apiVersion: gitops-kit.dev/v1alpha1
kind: ReleaseStages
stages:
  - name: dev
    application: { name: app-dev }
    repository: { url: https://git.example.com/team/deploy.git, branch: main }
    changes: [{ file: env/dev/values.yaml, paths: [image.tag] }]
  - name: prod
    application: { name: app-prod, project: demo }
    repository: { url: https://git.example.com/team/deploy.git, branch: main }
    changes: [{ file: env/prod/values.yaml, paths: { app.image.tag: image.tag } }]
    strategy: { type: change-request, forge: gitlab, project: team/deploy }
    gate: { soak: 10m }
`);
    expect(stages[0]).toMatchObject({ strategy: { type: 'push' }, onFailure: 'none' });
    expect(stages[1]).toMatchObject({
      strategy: { type: 'change-request', autoMerge: false, failOnChecks: true },
      gate: { soak: '10m' },
    });
    expect(() =>
      parseStagesFile(
        'stages:\n  - name: Dev!\n    application: {}\n    repository: { url: x, branch: main }\n    changes: []\n    bogus: 1\n',
      ),
    ).toThrow(
      /stages\[0\]\.name[\s\S]*stages\[0\]\.application\.name[\s\S]*stages\[0\]\.changes[\s\S]*bogus/,
    );
    expect(() => parseStagesFile('stages: [')).toThrow(/not valid YAML/);
    expect(() =>
      parseStagesFile(
        'stages:\n  - name: dev\n    application: { name: a }\n    repository: { url: x, branch: main }\n    changes: [{ file: f, paths: [p] }]\n    gate: { soak: soon }\n',
      ),
    ).toThrow(/gate\.soak/);
    expect(() =>
      parseStagesFile(
        'stages:\n  - name: prod\n    application: { name: a }\n    repository: { url: https://git.example.com/d.git, branch: main }\n    changes: [{ file: f, paths: [p] }]\n    strategy: { type: change-request, forge: gitlab, project: team/deploy, failOnChecks: "no" }\n',
      ),
    ).toThrow(/stages\[0\]\.strategy\.failOnChecks/);
  });

  it('has a JSON Schema for editors', () => {
    const schema = releaseStagesJsonSchema();
    expect(schema.title).toBe('gitops-kit release stages');
    expect(JSON.stringify(schema)).toContain('change-request');
    expect((schema.properties as Record<string, unknown>)['stages']).toBeDefined();
    const changeRequest = JSON.stringify(schema).match(/"failOnChecks":\{[^}]*\}/)?.[0];
    expect(changeRequest).toContain('"type":"boolean"');
    expect(changeRequest).toContain('"default":true');
  });
});
