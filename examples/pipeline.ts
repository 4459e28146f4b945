// The seed's CI pipeline written with the typed builders of @gitops-kit/tekton-client, validated, applied and run
// on the KubeEmulator: start → follow logs → wait → `tkn pr describe`. The build step fails once and is retried.
//
//   npx tsx --tsconfig examples/tsconfig.json examples/pipeline.ts
import {
  definePipeline,
  defineTask,
  formatDescribe,
  type TektonClient,
  validateTektonDocument,
} from '@gitops-kit/tekton-client';
import { KubeEmulator } from '@gitops-kit/testkit';
import { block, check, runExample, section, status } from './support/report.js';
import { clientFor, followLogs } from './support/tekton.js';

const NAMESPACE = 'ci';

const gitClone = defineTask({
  name: 'git-clone',
  description: 'Clones a revision and reports the commit',
  params: { url: { type: 'string' }, revision: { type: 'string', default: 'main' } },
  results: ['commit'],
  workspaces: ['output'],
  steps: ({ params, results, workspaces }) => [
    {
      name: 'clone',
      image: 'alpine/git:2.45.2',
      // Parameters reach scripts as environment variables, never by substitution into the script text.
      env: [
        { name: 'URL', value: params.url },
        { name: 'REVISION', value: params.revision },
      ],
      workingDir: workspaces.output.path,
      script: `#!/bin/sh\nset -eu\ngit init -q . && git fetch -q --depth 1 "$URL" "$REVISION" && git checkout -q FETCH_HEAD\nprintf %s "$(git rev-parse HEAD)" > ${results.commit.path}\n`,
    },
  ],
});

const npmTest = defineTask({
  name: 'npm-test',
  workspaces: ['source'],
  steps: ({ workspaces }) => [
    { name: 'test', image: 'node:20-slim', workingDir: workspaces.source.path, script: 'npm ci && npm test' },
  ],
});

const buildImage = defineTask({
  name: 'build-image',
  params: { image: { type: 'string' }, tag: { type: 'string' } },
  results: ['digest'],
  workspaces: ['source'],
  steps: ({ params, results, workspaces }) => [
    {
      name: 'build-and-push',
      image: 'gcr.io/kaniko-project/executor:v1.23.2',
      args: [
        `--context=${workspaces.source.path}`,
        `--destination=${params.image}:${params.tag}`,
        `--digest-file=${results.digest.path}`,
      ],
    },
  ],
});

const notify = defineTask({
  name: 'notify',
  params: { status: { type: 'string' }, digest: { type: 'string', default: '' } },
  steps: ({ params }) => [
    {
      name: 'notify',
      image: 'curlimages/curl:8.8.0',
      env: [
        { name: 'STATUS', value: params.status },
        { name: 'DIGEST', value: params.digest },
      ],
      script: '#!/bin/sh\necho "pipeline finished: $STATUS $DIGEST"\n',
    },
  ],
});

const pipeline = definePipeline({
  name: 'devops-ci',
  description: 'clone → test → build-image, with a notification in finally',
  params: { repoUrl: { type: 'string' }, revision: { type: 'string' }, image: { type: 'string' } },
  workspaces: ['source'],
})
  .task('clone', {
    task: gitClone,
    params: ({ params }) => ({ url: params.repoUrl, revision: params.revision }),
    workspaces: { output: 'source' },
  })
  .task('test', { task: npmTest, runAfter: ['clone'], workspaces: { source: 'source' } })
  .task('build', {
    task: buildImage,
    runAfter: ['test'],
    params: ({ params, tasks }) => ({ image: params.image, tag: tasks.clone.results.commit }),
    workspaces: { source: 'source' },
    retries: 1,
  })
  .finally('notify', {
    task: notify,
    params: ({ tasks }) => ({ status: tasks.build.status, digest: tasks.build.results.digest }),
  });

const COMMIT = '5f2c9a1e0b7d4c3a8e6f1b2d9c0a7e4f3b5d8c1a';
const DIGEST = 'sha256:8a1f3c5e7d9b2a4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d';

function scriptTasks(kube: KubeEmulator): void {
  kube.scriptTask('clone', ({ params }) => ({
    steps: {
      clone: {
        durationMs: 100,
        logs: [`fetching ${String(params['revision'])} from ${String(params['url'])}`],
        results: { commit: COMMIT },
      },
    },
  }));
  kube.scriptTask('test', {
    steps: { test: { durationMs: 150, logs: ['ℹ tests 12', 'ℹ pass 12', 'ℹ fail 0'] } },
  });
  // The registry refuses the first push (a flaky network); the retry succeeds.
  kube.scriptTask('build', ({ attempt, params }) => ({
    steps: {
      'build-and-push': {
        durationMs: 150,
        exitCode: attempt === 0 ? 1 : 0,
        logs:
          attempt === 0
            ? ['error pushing image: 503 Service Unavailable']
            : [`Pushed ${String(params['image'])}:${String(params['tag'])}`, `digest: ${DIGEST}`],
        ...(attempt === 0 ? {} : { results: { digest: DIGEST } }),
      },
    },
  }));
}

async function apply(tekton: TektonClient): Promise<void> {
  const documents = [gitClone, npmTest, buildImage, notify].map((task) => task.toObject(NAMESPACE));
  const pipelineObject = pipeline.toObject(NAMESPACE);
  for (const document of [...documents, pipelineObject]) {
    const validation = validateTektonDocument(document);
    check(
      validation.valid,
      `${document.kind} ${document.metadata?.name} is valid`,
      validation.valid ? undefined : validation.issues,
    );
  }
  for (const document of documents) await tekton.tasks.apply(document as unknown as Record<string, unknown>);
  await tekton.pipelines.apply(pipelineObject as unknown as Record<string, unknown>);
  status('ok', `applied 4 Tasks and Pipeline ${pipelineObject.metadata?.name}`);
}

runExample('pipeline', async (cleanup) => {
  section('Define the pipeline with definePipeline/defineTask');
  block(pipeline.toYaml(NAMESPACE).split('\n').slice(0, 24).join('\n'));
  block('...');

  section('Validate and apply on the KubeEmulator');
  const kube = await KubeEmulator.start({ namespace: NAMESPACE, defaultStepDurationMs: 50 });
  cleanup.push(() => kube.stop());
  const tekton = clientFor(kube, NAMESPACE);
  cleanup.push(() => tekton.close());
  scriptTasks(kube);
  await apply(tekton);

  section('Start a PipelineRun and follow its logs');
  const run = await tekton.pipelineRuns.start({
    pipelineRef: { name: 'devops-ci' },
    params: {
      repoUrl: 'https://git.example.com/team/devops-demo.git',
      revision: 'main',
      image: 'registry.example.com/team/devops-demo',
    },
    workspaces: [
      {
        name: 'source',
        volumeClaimTemplate: {
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      },
    ],
    timeouts: { pipeline: '10m' },
  });
  const name = run.metadata.name;
  check(name !== undefined, `PipelineRun ${name} created`);
  const controller = new AbortController();
  const logs = followLogs(tekton, name, controller.signal);
  const outcome = await tekton.pipelineRuns.waitForCompletion(name, { timeoutMs: 120_000 });
  const lines = await Promise.race([
    logs,
    new Promise<string[]>((resolve) => setTimeout(() => resolve([]), 10_000).unref()),
  ]);
  controller.abort();

  section('Outcome');
  check(outcome.status === 'Succeeded', `PipelineRun ${name} Succeeded`, outcome);
  check(
    lines.some((line) => line.includes('503 Service Unavailable')) &&
      lines.some((line) => line.startsWith('[build') && line.includes(DIGEST)),
    'the logs show the failed first push and the successful retry',
  );
  const taskRuns = await tekton.taskRuns.list({ labelSelector: `tekton.dev/pipelineRun=${name}` });
  const build = taskRuns.find((taskRun) => taskRun.metadata.labels?.['tekton.dev/pipelineTask'] === 'build');
  check((build?.status?.retriesStatus?.length ?? 0) === 1, 'the build TaskRun needed one retry');
  const finallyTask = taskRuns.find(
    (taskRun) => taskRun.metadata.labels?.['tekton.dev/pipelineTask'] === 'notify',
  );
  check(
    finallyTask?.status?.conditions?.some(
      (condition) => condition.type === 'Succeeded' && condition.status === 'True',
    ) === true,
    'the finally task notify ran and succeeded',
  );
  check(
    build?.status?.results?.some((result) => result.name === 'digest' && result.value === DIGEST) === true,
    'the build TaskRun reports the image digest',
  );

  section(`tkn pr describe ${name}`);
  block(formatDescribe(await tekton.pipelineRuns.describe(name), { nowMs: kube.clock.now() }));
});
