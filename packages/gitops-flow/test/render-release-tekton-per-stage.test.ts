import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@gitops-kit/core';
import { validateTektonDocument } from '@gitops-kit/tekton-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import {
  ExitCode,
  GITOPS_FLOW_VERSION,
  type RenderReleaseTektonOptions,
  renderReleaseTekton,
  runCli,
} from '../src/index.js';
import { captureIo } from './cli-io.js';
import { type ReleaseEnvironment, startReleaseEnvironment } from './release-environment.js';
import {
  anyObject,
  applyRendered,
  CLI,
  CONFIG_MAP,
  configMap,
  createReleaseInputs,
  createSecrets,
  NAMESPACE,
  npxOfThisVersion,
  runReleasePipeline,
  scriptReleaseStep,
  useTekton,
} from './tekton-fixtures.js';

const STAGES = ['dev', 'staging', 'prod'];
const PER_STAGE = { layout: 'per-stage', stageNames: STAGES } as const;

const VARIANTS: Array<[string, RenderReleaseTektonOptions]> = [
  ['after the build, stages from a ConfigMap', { ...PER_STAGE, stagesConfigMap: 'stages' }],
  ['after the build, stages from the cloned source', { ...PER_STAGE }],
  [
    'standalone, stages from a workspace, two values',
    { ...PER_STAGE, mode: 'standalone', values: ['image.tag', 'chart.version'] },
  ],
];

type ParamList = Array<{ name: string; value: unknown }> | undefined;
const paramsOf = (params: ParamList): Record<string, unknown> =>
  Object.fromEntries((params ?? []).map((param) => [param.name, param.value]));

describe('renderReleaseTekton, layout per-stage', { timeout: 180_000 }, () => {
  const cluster = useTekton();

  it.each(VARIANTS)(
    '%s: one task per stage in stage order, a finally status, admitted',
    async (_, options) => {
      const rendered = renderReleaseTekton({ ...options, namespace: NAMESPACE });
      const documents = parseAllDocuments(rendered.yaml).map((document) => document.toJS());
      for (const document of documents) expect(validateTektonDocument(document).issues).toEqual([]);
      await applyRendered(cluster.tekton, rendered);
      const standalone = options.mode === 'standalone';
      const tasks = rendered.pipeline.spec.tasks ?? [];
      expect(tasks.map((task) => [task.name, task.runAfter])).toEqual([
        ...(standalone
          ? []
          : [
              ['clone', undefined],
              ['test', ['clone']],
              ['build', ['test']],
              ['docker', ['build']],
            ]),
        ['release-dev', standalone ? undefined : ['docker']],
        ['release-staging', ['release-dev']],
        ['release-prod', ['release-staging']],
      ]);
      // Every stage gets the same release values; only its stage differs.
      const stageTasks = tasks.filter((task) => task.name.startsWith('release-'));
      const imageTag = standalone ? '$(params.image_tag)' : '$(tasks.clone.results.commit)';
      for (const [index, task] of stageTasks.entries()) {
        expect(task.taskRef).toEqual({ name: 'gitops-release' });
        expect(paramsOf(task.params as ParamList)).toMatchObject({
          image_tag: imageTag,
          stage: STAGES[index],
          release_id: '$(params.release_id)',
        });
      }
      const final = rendered.pipeline.spec.finally ?? [];
      expect(final.map((task) => task.name)).toEqual(['status']);
      expect(paramsOf(final[0]?.params as ParamList)).toMatchObject({
        image_tag: imageTag,
        action: 'status',
      });
      expect(paramsOf(final[0]?.params as ParamList)).not.toHaveProperty('stage');
      // The one Task: `stage` and `action` have defaults, so the single-step Pipeline runs it unchanged.
      expect(
        rendered.task.spec.params
          ?.filter((param) => ['stage', 'action'].includes(param.name))
          .map((param) => [param.name, param.default]),
      ).toEqual([
        ['stage', ''],
        ['action', 'promote'],
      ]);
      expect(rendered.task).toEqual(
        renderReleaseTekton({ ...options, namespace: NAMESPACE, layout: 'single-step', stageNames: [] }).task,
      );
    },
  );

  it('refuses per-stage without stage names, names that are not DNS labels, repeats, and names without it', () => {
    expect(() => renderReleaseTekton({ layout: 'per-stage' })).toThrow(/needs the stage names/);
    expect(() => renderReleaseTekton({ layout: 'per-stage', stageNames: ['Prod'] })).toThrow(ValidationError);
    expect(() => renderReleaseTekton({ layout: 'per-stage', stageNames: ['a'.repeat(56)] })).toThrow(
      /at most 55 characters/,
    );
    expect(() => renderReleaseTekton({ layout: 'per-stage', stageNames: ['dev', 'dev'] })).toThrow(
      /named twice/,
    );
    expect(() => renderReleaseTekton({ stageNames: ['dev'] })).toThrow(/for layout 'per-stage'/);
    expect(() => renderReleaseTekton({ values: ['stage'] })).toThrow(/fixed param stage/);
  });

  it('passes values as data in every stage task: shell and Tekton syntax reach the CLI unchanged', async () => {
    const rendered = renderReleaseTekton({
      ...PER_STAGE,
      namespace: NAMESPACE,
      mode: 'standalone',
      stagesConfigMap: 'stages',
      values: ['image.tag', 'chart.version'],
      pipelineName: 'release-args-per-stage',
    });
    await applyRendered(cluster.tekton, rendered);
    await createSecrets(cluster.tekton, { gitPassword: 'pw', argocdPassword: 'apw' }, true);
    await cluster.tekton.transport.delete(CONFIG_MAP, NAMESPACE, 'stages').catch(() => undefined);
    await cluster.tekton.transport.create(
      CONFIG_MAP,
      NAMESPACE,
      configMap('stages.yaml', 'stages: []\n'),
      anyObject,
    );
    scriptReleaseStep(
      cluster.kube,
      'gitops-release',
      '#!/bin/sh\nfor arg in "$@"; do printf "arg:%s\\n" "$arg"; done\n[ -e pwned ] && echo PWNED\nexit 0\n',
    );
    const hostile = 'x"; touch pwned; echo "$(touch pwned)`touch pwned`$(params.stage)';
    const run = await cluster.tekton.pipelineRuns.start({
      pipelineRef: { name: 'release-args-per-stage' },
      params: {
        image_tag: hostile,
        chart_version: '1.2.3',
        argocd_server: 'https://argocd.example.com',
        release_id: 'r-42',
      },
    });
    const name = run.metadata.name as string;
    expect((await cluster.tekton.pipelineRuns.waitForCompletion(name, { timeoutMs: 60_000 })).status).toBe(
      'Succeeded',
    );
    const argsByTask = new Map<string, string[]>();
    for await (const entry of cluster.tekton.pipelineRuns.logs(name)) {
      expect(entry.line).not.toBe('PWNED');
      if (!entry.line.startsWith('arg:')) continue;
      argsByTask.set(entry.pipelineTask, [
        ...(argsByTask.get(entry.pipelineTask) ?? []),
        entry.line.slice(4),
      ]);
    }
    expect([...argsByTask.keys()].sort()).toEqual([
      'release-dev',
      'release-prod',
      'release-staging',
      'status',
    ]);
    for (const stage of STAGES) {
      const args = argsByTask.get(`release-${stage}`) ?? [];
      expect(args.slice(0, 4)).toEqual([
        '--yes',
        `@gitops-kit/gitops-flow@${GITOPS_FLOW_VERSION}`,
        'release',
        'promote',
      ]);
      expect(args).toContain(`image.tag=${hostile}`);
      expect(args).toContain('chart.version=1.2.3');
      expect(args[args.indexOf('--stage') + 1]).toBe(stage);
      expect(args[args.indexOf('--release-id') + 1]).toBe('r-42');
    }
    // The finally task reads the status of the same release: no stage, no release id (status has no such flag).
    const status = argsByTask.get('status') ?? [];
    expect(status.slice(2, 4)).toEqual(['release', 'status']);
    expect(status).toContain(`image.tag=${hostile}`);
    expect(status).not.toContain('--stage');
    expect(status).not.toContain('--release-id');
  });

  describe('a per-stage PipelineRun in the KubeEmulator, against the testkit', () => {
    let env: ReleaseEnvironment;
    let directory: string;
    beforeAll(async () => {
      env = await startReleaseEnvironment({ prodApprovals: 0, prodAutoMerge: true });
      directory = await mkdtemp(join(tmpdir(), 'release-per-stage-'));
      const rendered = renderReleaseTekton({
        ...PER_STAGE,
        namespace: NAMESPACE,
        mode: 'standalone',
        stagesConfigMap: 'release-stages',
        pipelineName: 'release-per-stage',
      });
      await applyRendered(cluster.tekton, rendered);
      await createReleaseInputs(cluster.tekton, env);
      // npx of the released package = the CLI built from this checkout; each call notes when its task's CLI
      // started and how it ended, in the order the steps really ran.
      const order = join(directory, 'order');
      scriptReleaseStep(
        cluster.kube,
        'gitops-release',
        npxOfThisVersion(`echo "start \${RELEASE_STAGE:-$RELEASE_ACTION}" >> "${order}"
"${process.execPath}" "${CLI}" "$@"; code=$?
echo "end \${RELEASE_STAGE:-$RELEASE_ACTION} $code" >> "${order}"
exit $code
`),
      );
    });
    afterAll(async () => {
      await env.stop();
      await rm(directory, { recursive: true, force: true });
    });

    const runRelease = async (tag: string) => {
      await writeFile(join(directory, 'order'), '');
      const { name, outcome, lines } = await runReleasePipeline(
        cluster.tekton,
        env,
        'release-per-stage',
        tag,
        150_000,
      );
      const description = await cluster.tekton.pipelineRuns.describe(name);
      const taskRuns = Object.fromEntries(
        description.taskRuns.map((row) => [row.pipelineTaskName, row.conditions[0]?.reason]),
      );
      const order = (await readFile(join(directory, 'order'), 'utf8')).trim().split('\n');
      return { outcome, lines, description, taskRuns, order };
    };

    it('promotes dev → staging → prod (a GitLab merge request), one TaskRun per stage, each in order', async () => {
      const { outcome, lines, taskRuns, order } = await runRelease('tekton-p1');
      expect(outcome.status, lines.join('\n')).toBe('Succeeded');
      expect(taskRuns).toEqual({
        'release-dev': 'Succeeded',
        'release-staging': 'Succeeded',
        'release-prod': 'Succeeded',
        status: 'Succeeded',
      });
      expect(order).toEqual([
        'start dev',
        'end dev 0',
        'start staging',
        'end staging 0',
        'start prod',
        'end prod 0',
        'start status',
        'end status 0',
      ]);
      for (const stage of STAGES) expect(await env.tagOf(stage)).toBe('tekton-p1');
      // The finally task printed the status table: every stage at the release.
      const rows = lines.filter((line) => /^(dev|staging|prod)\s+app-/.test(line));
      expect(rows.map((row) => row.split(/\s+/).slice(0, 3))).toEqual([
        ['dev', 'app-dev', 'tekton-p1'],
        ['staging', 'app-staging', 'tekton-p1'],
        ['prod', 'app-prod', 'tekton-p1'],
      ]);
      for (const secretValue of [env.gitPassword, env.argocdPassword, env.gitlab.token])
        expect(lines.join('\n')).not.toContain(secretValue);
    });

    it('a stage that turns Degraded fails its TaskRun; the later stages never run; finally still reports', async () => {
      env.argocd.scriptHealth({ app: 'app-staging', kind: 'Deployment', image: ':tekton-p2' }, [
        { status: 'Progressing', forMs: 200 },
        { status: 'Degraded', message: 'CrashLoopBackOff' },
      ]);
      const { outcome, description, taskRuns, order } = await runRelease('tekton-p2');
      expect(outcome.status).toBe('Failed');
      expect(outcome.failedTasks.map((task) => task.pipelineTask)).toEqual(['release-staging']);
      expect(taskRuns).toEqual({
        'release-dev': 'Succeeded',
        'release-staging': 'Failed',
        status: 'Succeeded',
      });
      expect(description.skippedTasks.map((task) => task.name)).toEqual(['release-prod']);
      expect(order).toEqual([
        'start dev',
        'end dev 0',
        'start staging',
        'end staging 1',
        'start status',
        'end status 0',
      ]);
      expect(await env.tagOf('dev')).toBe('tekton-p2');
      expect(await env.tagOf('staging')).toBe('tekton-p1'); // git-revert
      expect(await env.tagOf('prod')).toBe('tekton-p1');
    });
  });

  it('the CLI renders it: render tekton --release --layout per-stage (names from the stages file or --stage)', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'render-per-stage-'));
    try {
      await writeFile(
        join(directory, 'stages.yaml'),
        stringify({
          apiVersion: 'gitops-kit.dev/v1alpha1',
          kind: 'ReleaseStages',
          stages: ['qa', 'live'].map((stage) => ({
            name: stage,
            application: { name: `shop-${stage}` },
            repository: { url: 'https://git.example.com/deploy.git', branch: 'main' },
            changes: [{ file: `env/${stage}/values.yaml`, paths: ['image.tag'] }],
          })),
        }),
      );
      const fromFile = captureIo({ cwd: directory });
      expect(
        await runCli(
          ['render', 'tekton', '--release', '--layout', 'per-stage', '--stages-from', 'stages.yaml'],
          fromFile,
        ),
      ).toBe(ExitCode.success);
      expect(fromFile.err()).toBe('');
      const pipeline = parseAllDocuments(fromFile.out())[1]?.toJS();
      expect(pipeline.spec.tasks.map((task: { name: string }) => task.name).slice(4)).toEqual([
        'release-qa',
        'release-live',
      ]);

      // `render tekton --release --standalone --layout per-stage` with these stages, as a graph in this format.
      const perStageGraph = (stages: string[], format: string) => [
        'render',
        'tekton',
        '--release',
        '--standalone',
        '--layout',
        'per-stage',
        ...stages.flatMap((stage) => ['--stage', stage]),
        '--format',
        format,
      ];
      const mermaid = captureIo();
      expect(await runCli(perStageGraph(['dev', 'staging', 'prod'], 'mermaid'), mermaid)).toBe(
        ExitCode.success,
      );
      const graph = mermaid.out();
      const id = (task: string) => new RegExp(`(\\w+)\\["${task}"\\]`).exec(graph)?.[1];
      for (const [from, to] of [
        ['release-dev', 'release-staging'],
        ['release-staging', 'release-prod'],
      ] as const)
        expect(graph).toContain(`${id(from)} --> ${id(to)}`);
      expect(id('status')).toBeDefined();
      const dot = captureIo();
      expect(await runCli(perStageGraph(['dev', 'prod'], 'dot'), dot)).toBe(ExitCode.success);
      expect(dot.out()).toContain('"task:release-dev" -> "task:release-prod";');
      expect(dot.out()).toContain('"task:release-prod" -> "task:status" [style=dashed];');

      const usage = async (argv: string[], message: string) => {
        const io = captureIo({ cwd: directory });
        expect(await runCli(['render', 'tekton', ...argv], io)).toBe(ExitCode.usage);
        expect(io.err()).toContain(message);
      };
      await usage(['--release', '--layout', 'per-stage'], '--layout per-stage needs the stage names');
      await usage(['--release', '--stage', 'dev'], '--stage needs --layout per-stage');
      await usage(['--layout', 'per-stage'], '--layout needs --release');
      await usage(
        ['--release', '--layout', 'per-stage', '--stages-from', 'stages.yaml', '--stage', 'qa'],
        'exclude each other',
      );
      await usage(
        ['--release', '--layout', 'per-stage', '--stages-from', 'missing.yaml'],
        'cannot read --stages-from missing.yaml',
      );
      await usage(['--release', '--layout', 'per-stage', '--stage', 'Prod'], 'not a lower-case DNS label');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
