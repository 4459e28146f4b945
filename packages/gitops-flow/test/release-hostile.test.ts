import { inspect } from 'node:util';
import { ValidationError } from '@gitops-kit/core';
import type { ForgeClient } from '@gitops-kit/forge-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  parseStagesFile,
  promoteRelease,
  ReleaseError,
  type ReleaseEvent,
  type ReleaseReport,
  releaseStatus,
} from '../src/index.js';
import { type ReleaseEnvironment, releaseOptions, startReleaseEnvironment } from './release-environment.js';

// A release driven by a hostile user: values that are markdown, YAML and shell at once, names every object
// inherits, aborts while a change request is open, and two runs of the same release at once.
let env: ReleaseEnvironment | undefined;
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

describe('promoteRelease against hostile input', { timeout: 120_000 }, () => {
  it('an abort while the merge request waits for a reviewer leaves a report that names it and its branch', async () => {
    env = await startReleaseEnvironment();
    const controller = new AbortController();
    const error = await promoteRelease(
      releaseOptions(
        env,
        { 'image.tag': 'v11' },
        {
          signal: controller.signal,
          onEvent: (event: ReleaseEvent) => {
            if (event.type === 'change-request' && event.action === 'opened') controller.abort();
          },
        },
      ),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReleaseError);
    const prod = (error as ReleaseError).report.stages[2];
    expect(prod?.error?.code).toBe('ABORTED');
    const open = await env.forge.changeRequests.list({ project: 'team/deploy' });
    expect(open).toHaveLength(1);
    expect(prod?.changeRequest).toEqual({
      number: open[0]?.number,
      webUrl: open[0]?.webUrl,
      state: 'open',
      mergeCommitSha: null,
    });
    expect(prod?.reviewBranch).toEqual({ name: open[0]?.sourceBranch, commit: open[0]?.headSha });
  });

  it('a value that is markdown, YAML and shell lands byte for byte and cannot rewrite the merge request text', async () => {
    env = await startReleaseEnvironment();
    const tag =
      'v1` **approved** ``\n\n- [x] @all ![t](http://evil.invalid/t.png)\nRelease-Id: forged &a *a: {x} # $(id)';
    const controller = new AbortController();
    const error = await promoteRelease(
      releaseOptions(
        env,
        { 'image.tag': tag },
        {
          signal: controller.signal,
          onEvent: (event: ReleaseEvent) => {
            if (event.type === 'change-request' && event.action === 'opened') controller.abort();
          },
        },
      ),
    ).catch((caught: unknown) => caught);
    const report = (error as ReleaseError).report as ReleaseReport;
    expect(report.stages.map((stage) => stage.outcome)).toEqual(['promoted', 'promoted', 'failed']);
    const { getYamlValue } = await import('@gitops-kit/manifest-updater');
    const devFile = await env.git.readFile('deploy', 'main', 'apps/app-dev/my-values.yaml');
    expect(getYamlValue(devFile, 'image.tag')).toBe(tag);
    const [mr] = await env.forge.changeRequests.list({ project: 'team/deploy' });
    const lines = mr?.description.split('\n') ?? [];
    // One line per value, the value inside one code span whose fence no run of backticks in it can close.
    const valueLine = lines.find((line) => line.includes('image.tag'));
    expect(lines.filter((line) => line.startsWith('- '))).toEqual([valueLine]);
    const fence = /= (`+)/.exec(valueLine ?? '')?.[1] ?? '';
    expect(fence.length).toBe(3);
    expect(valueLine?.endsWith(fence)).toBe(true);
    expect(JSON.parse(valueLine?.slice(valueLine.indexOf(fence) + fence.length, -fence.length) ?? '')).toBe(
      tag,
    );
    // The review branch commit says what it changed without letting the value forge a trailer.
    const [review] = await env.git.log('deploy', mr?.sourceBranch ?? '');
    expect(review?.message.split('\n').filter((line) => line.startsWith('Release-Id:'))).toEqual([
      `Release-Id: ${report.releaseId}`,
    ]);
  });

  it('values named like what every object inherits are not release values; non-scalar values are refused', async () => {
    const stage = (paths: string[]) => ({
      name: 'dev',
      application: { name: 'app-dev' },
      repository: { url: 'https://git.example.invalid/deploy.git', branch: 'main' },
      changes: [{ file: 'values.yaml', paths }],
    });
    const argocd = { server: 'https://argocd.example.invalid', auth: { token: 't' } };
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      await expect(
        promoteRelease({ values: { 'image.tag': 'v1' }, stages: [stage([name])], argocd }),
      ).rejects.toThrow(/which the release does not have/);
    }
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, null, { a: 1 }, undefined]) {
      const error = await promoteRelease({
        values: { 'image.tag': value as never },
        stages: [stage(['image.tag'])],
        argocd,
      }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(/must be a string, a finite number or a boolean/);
    }
  });

  it('a stage naming a forge like what every object inherits is refused (promote) or listed (status), not called', async () => {
    const stages = [
      {
        name: 'prod',
        application: { name: 'app-prod' },
        repository: { url: 'https://git.example.invalid/deploy.git', branch: 'main' },
        changes: [{ file: 'values.yaml', paths: ['image.tag'] }],
        strategy: { type: 'change-request' as const, forge: 'constructor', project: 'team/deploy' },
      },
    ];
    const argocd = { server: 'https://argocd.example.invalid', auth: { token: 't' } };
    const error = await promoteRelease({ values: { 'image.tag': 'v1' }, stages, argocd, forges: {} }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(
      /names the forge "constructor", which is not among options.forges/,
    );
    // Status: no forge is asked (none was given under that name); git and Argo CD fail on their own, listed.
    const [status] = await releaseStatus({
      stages,
      argocd: { ...argocd, retry: false },
      forges: {},
      signal: AbortSignal.timeout(20_000),
    });
    expect(status?.changeRequest).toBeUndefined();
    expect(status?.errors.some((line) => /forge|changeRequests/.test(line))).toBe(false);
  });

  it('refuses a releaseId that would not make a branch name, before any stage runs', async () => {
    const stages = [
      {
        name: 'dev',
        application: { name: 'app-dev' },
        repository: { url: 'https://git.example.invalid/deploy.git', branch: 'main' },
        changes: [{ file: 'values.yaml', paths: ['image.tag'] }],
      },
    ];
    const argocd = { server: 'https://argocd.example.invalid', auth: { token: 't' } };
    for (const releaseId of [
      'v2.lock',
      'a..b',
      '-x',
      'a/b',
      'v2\nRelease-Id: x',
      '$(id)',
      'x'.repeat(64),
      '',
    ]) {
      const error = await promoteRelease({ values: { 'image.tag': 'v1' }, releaseId, stages, argocd }).catch(
        (caught: unknown) => caught,
      );
      expect(error, releaseId).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(/releaseId must be/);
    }
    // A huge id is named, not echoed whole.
    const huge = `${'x'.repeat(70)}${'y'.repeat(100_000)}`;
    const error = await promoteRelease({
      values: { 'image.tag': 'v1' },
      releaseId: huge,
      stages,
      argocd,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message.length).toBeLessThan(300);
    expect((error as Error).message).toContain('100070 characters');
  });

  it('paths named __proto__ and constructor: previous values recorded as keys, the stage seen holding the release', async () => {
    env = await startReleaseEnvironment();
    const file = 'apps/app-dev/my-values.yaml';
    const seeded = `${await env.git.readFile('deploy', 'main', file)}__proto__: "0.9"\nconstructor: "0.8"\n`;
    await env.git.commit('deploy', 'main', { [file]: seeded });
    const dev = { ...(env.stages[0] as (typeof env.stages)[number]) };
    // Written as JSON, as a stages file would be: an object literal would set the prototype instead.
    dev.changes = [{ file, paths: JSON.parse('{"__proto__": "image.tag", "constructor": "image.tag"}') }];
    // verify() makes the release read the stage back after its promotion (has a later release changed it?).
    const report = await promoteRelease(
      releaseOptions(env, { 'image.tag': 'v13' }, { stages: [dev], verify: () => true }),
    );
    expect(report.outcome).toBe('succeeded');
    expect(report.stages[0]?.outcome).toBe('promoted');
    expect(Object.entries(report.stages[0]?.previousValues[file] ?? {})).toEqual([
      ['__proto__', '0.9'],
      ['constructor', '0.8'],
    ]);
    expect(JSON.parse(JSON.stringify(report)).stages[0].previousValues[file]).toEqual(
      JSON.parse('{"__proto__": "0.9", "constructor": "0.8"}'),
    );
    // A re-run finds the stage at the release (it reads the values back through the same maps).
    const again = await promoteRelease(
      releaseOptions(env, { 'image.tag': 'v13' }, { stages: [dev], verify: () => true }),
    );
    expect(again.stages[0]?.outcome).toBe('verified');
  });

  it('two runs of the same release at once share one merge request', async () => {
    env = await startReleaseEnvironment();
    const current = env;
    const prodOnly = current.stages.slice(2);
    // The real client, with the two runs' look for an open merge request held until both have looked: the race
    // where neither finds one and both open it, made certain.
    let listed = 0;
    let bothListed: () => void = () => {};
    const barrier = new Promise<void>((resolve) => {
      bothListed = resolve;
    });
    const racingForge: ForgeClient = {
      ...current.forge,
      kind: current.forge.kind,
      checks: current.forge.checks,
      close: () => current.forge.close(),
      changeRequests: {
        ...current.forge.changeRequests,
        list: async (input, options) => {
          const found = await current.forge.changeRequests.list(input, options);
          listed += 1;
          if (listed === 2) bothListed();
          await barrier;
          return found;
        },
      },
    };
    const runs = [0, 1].map(() => {
      const controller = new AbortController();
      const events: ReleaseEvent[] = [];
      const run = promoteRelease(
        releaseOptions(
          current,
          { 'image.tag': 'v12' },
          {
            stages: prodOnly,
            forges: { gitlab: racingForge },
            signal: controller.signal,
            onEvent: (event) => {
              events.push(event);
              if (event.type === 'change-request' && event.action !== 'merged') controller.abort();
            },
          },
        ),
      ).catch((caught: unknown) => caught);
      return { run, events };
    });
    const errors = await Promise.all(runs.map(({ run }) => run));
    for (const error of errors) {
      expect(error).toBeInstanceOf(ReleaseError);
      expect((error as ReleaseError).report.stages[0]?.error?.code).toBe('ABORTED');
    }
    const open = await current.forge.changeRequests.list({ project: 'team/deploy' });
    expect(open).toHaveLength(1);
    for (const error of errors) {
      expect((error as ReleaseError).report.stages[0]?.changeRequest?.number).toBe(open[0]?.number);
    }
  });
});

describe('hostile stages files', () => {
  const stagesFile = (stage: Record<string, string>) =>
    [
      'stages:',
      '  - name: dev',
      '    application: { name: app-dev }',
      `    repository: { url: ${stage['url'] ?? 'https://git.example.invalid/deploy.git'}, branch: ${stage['branch'] ?? 'main'} }`,
      `    changes: [{ file: ${stage['file'] ?? 'values.yaml'}, paths: [image.tag] }]`,
      ...(stage['strategy'] ? [`    strategy: ${stage['strategy']}`] : []),
      ...(stage['gate'] ? [`    gate: ${stage['gate']}`] : []),
    ].join('\n');
  const refusal = (text: string): string => {
    try {
      parseStagesFile(text);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return `${(error as Error).message} ${inspect(error)} ${JSON.stringify(error)}`;
    }
    throw new Error('the stages file was accepted');
  };

  it('refuses files outside the repository, branch names git refuses and forge projects that climb out', () => {
    expect(refusal(stagesFile({ file: '../../etc/passwd' }))).toMatch(/climbs out/);
    expect(refusal(stagesFile({ file: '/etc/passwd' }))).toMatch(/absolute/);
    expect(refusal(stagesFile({ file: '.git/config' }))).toMatch(/\.git/);
    expect(refusal(stagesFile({ branch: '"ma..in"' }))).toMatch(/repository\.branch/);
    expect(refusal(stagesFile({ branch: '"-upload-pack=x"' }))).toMatch(/not a valid branch name/);
    expect(
      refusal(stagesFile({ strategy: '{ type: change-request, forge: gitlab, project: ../../x }' })),
    ).toMatch(/strategy\.project/);
  });

  it('refuses repository URLs with credentials or that do not parse, and never quotes them', () => {
    for (const url of [
      'https://deployer:stages-pw-1234@git.example.invalid/deploy.git',
      '"ht!tp://deployer:stages-pw-1234@[bad"',
      'file:///srv/deploy.git',
    ]) {
      const text = refusal(stagesFile({ url }));
      expect(text).toMatch(/repository\.url/);
      expect(text).not.toContain('stages-pw-1234');
    }
    expect(parseStagesFile(stagesFile({ url: 'git@git.example.invalid:team/deploy.git' }))).toHaveLength(1);
  });

  it('keeps a paths key named __proto__ or constructor (zod records drop __proto__), and checks its value', () => {
    const withPaths = (paths: string) =>
      [
        'stages:',
        '  - name: dev',
        '    application: { name: app-dev }',
        '    repository: { url: https://git.example.invalid/deploy.git, branch: main }',
        `    changes: [{ file: values.yaml, paths: ${paths} }]`,
      ].join('\n');
    const [stage] = parseStagesFile(
      withPaths('{ __proto__: image.tag, constructor: image.tag, app.tag: image.tag }'),
    );
    expect(Object.entries(stage?.changes[0]?.paths ?? {})).toEqual([
      ['__proto__', 'image.tag'],
      ['constructor', 'image.tag'],
      ['app.tag', 'image.tag'],
    ]);
    expect(refusal(withPaths('{ __proto__: "" }'))).toMatch(
      /changes\[0\]\.paths\.__proto__: expected a non-empty string/,
    );
    expect(refusal(withPaths('{ __proto__: [x] }'))).toMatch(/paths\.__proto__/);
  });

  it('refuses a soak longer than a timer can wait (it would otherwise end after 1 ms)', () => {
    expect(refusal(stagesFile({ gate: '{ soak: 1000h }' }))).toMatch(/gate\.soak/);
    expect(parseStagesFile(stagesFile({ gate: '{ soak: 596h }' }))[0]?.gate?.soak).toBe('596h');
  });
});
