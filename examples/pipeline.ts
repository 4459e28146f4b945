// A CI pipeline written with the typed builders of @gitops-kit/tekton-client (typed params, results, workspaces,
// `retries`, a `finally` task), validated offline, applied, run, its logs followed live, then `tkn pr describe`.
//
//   KUBECONFIG=~/.kube/config NAMESPACE=ci REPO_URL=https://gitlab.example.com/team/app.git \
//   IMAGE=registry.example.com/team/app npx tsx examples/pipeline.ts
//
// Environment:
//   KUBECONFIG    the kubeconfig (kubectl's loading rules)                       default ~/.kube/config
//   KUBE_CONTEXT  the context                                                    default the current context
//   NAMESPACE     where the Tasks, the Pipeline and the run go                  default the context's namespace
//   REPO_URL      the repository to build                                                      required
//   REVISION      the branch or commit                                                         default main
//   IMAGE         the image to push (without tag; the commit becomes the tag)                  required
//
// Exit code: 0 the PipelineRun Succeeded, 1 otherwise.
import {
  definePipeline,
  defineTask,
  formatDescribe,
  type RunLogEntry,
  TektonClient,
  validateTektonDocument,
} from '@gitops-kit/tekton-client';

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

function env(name: string, fallback?: string): string {
  const value = process.env[name] || fallback;
  if (value === undefined) throw new Error(`${name} is not set (see the top of pipeline.ts)`);
  return value;
}

/** An optional setting: undefined when unset or empty. */
function optional(name: string): string | undefined {
  return process.env[name] || undefined;
}

function format(entry: RunLogEntry): string {
  if (entry.kind !== 'log') return `[${entry.pipelineTask || entry.taskRun}] (${entry.kind}) ${entry.line}`;
  return `[${entry.pipelineTask || entry.taskRun} : ${entry.step}] ${entry.line}`;
}

async function main(): Promise<boolean> {
  const context = optional('KUBE_CONTEXT');
  const namespace = optional('NAMESPACE');
  const client = TektonClient.fromKubeconfig({
    ...(context ? { context } : {}),
    ...(namespace ? { namespace } : {}),
  });
  try {
    // Validate everything before the cluster sees it (Tekton's admission rules, offline).
    const tasks = [gitClone, npmTest, buildImage, notify].map((task) => task.toObject(client.namespace));
    const pipelineObject = pipeline.toObject(client.namespace);
    for (const document of [...tasks, pipelineObject]) {
      const validation = validateTektonDocument(document);
      if (!validation.valid)
        throw new Error(
          `${document.kind} ${document.metadata?.name} is invalid: ${JSON.stringify(validation.issues)}`,
        );
    }
    for (const task of tasks) await client.tasks.apply(task as unknown as Record<string, unknown>);
    await client.pipelines.apply(pipelineObject as unknown as Record<string, unknown>);
    console.log(
      `applied ${tasks.length} Tasks and Pipeline ${pipelineObject.metadata?.name} in ${client.namespace}`,
    );

    const run = await client.pipelineRuns.start({
      pipelineRef: { name: 'devops-ci' },
      params: { repoUrl: env('REPO_URL'), revision: env('REVISION', 'main'), image: env('IMAGE') },
      workspaces: [
        {
          name: 'source',
          volumeClaimTemplate: {
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        },
      ],
      timeouts: { pipeline: '30m' },
    });
    const name = run.metadata.name as string;
    console.log(`PipelineRun ${name} started`);
    for await (const entry of client.pipelineRuns.logs(name, { follow: true })) console.log(format(entry));

    const outcome = await client.pipelineRuns.waitForCompletion(name);
    console.log(`\n${formatDescribe(await client.pipelineRuns.describe(name))}`);
    if (outcome.status === 'Succeeded') return true;
    console.error(
      `PipelineRun ${name} ${outcome.status}: ${outcome.failedTasks.map((task) => task.pipelineTask).join(', ')}`,
    );
    return false;
  } finally {
    await client.close();
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    console.error(`pipeline: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
