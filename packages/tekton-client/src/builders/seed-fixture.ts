// Shared by the builder tests: the seed's CI pipeline written with the typed builders.
import { definePipeline } from './define-pipeline.js';
import { defineTask } from './define-task.js';

export const cloneTask = defineTask({
  name: 'git-clone',
  params: { url: { type: 'string' }, revision: { type: 'string', default: 'main' } },
  results: ['commit'],
  workspaces: ['output'],
  steps: ({ params, results, workspaces }) => [
    {
      name: 'clone',
      image: 'alpine/git',
      script: `git clone ${params.url} ${workspaces.output.path} && cd ${workspaces.output.path} && git checkout ${params.revision} && git rev-parse HEAD > ${results.commit.path}`,
    },
  ],
});

export const buildTask = defineTask({
  name: 'build-image',
  params: {
    image: { type: 'string' },
    commit: { type: 'string' },
    extraArgs: { type: 'array', default: [] },
  },
  results: ['digest'],
  workspaces: ['source'],
  steps: ({ params, results, workspaces }) => [
    {
      name: 'build',
      image: 'gcr.io/kaniko-project/executor',
      args: [
        `--context=${workspaces.source.path}`,
        `--destination=${params.image}:${params.commit}`,
        `--digest-file=${results.digest.path}`,
      ],
    },
  ],
});

export const seedPipeline = definePipeline({
  name: 'gitops-ci',
  params: { repoUrl: { type: 'string' }, revision: { type: 'string' }, image: { type: 'string' } },
  workspaces: ['shared'],
})
  .task('clone', {
    task: cloneTask,
    params: ({ params }) => ({ url: params.repoUrl, revision: params.revision }),
    workspaces: { output: 'shared' },
  })
  .task('test', { task: 'run-tests', runAfter: ['clone'], workspaces: { source: 'shared' } })
  .task('build', {
    task: buildTask,
    runAfter: ['test'],
    params: ({ params, tasks }) => ({ image: params.image, commit: tasks.clone.results.commit }),
    workspaces: { source: 'shared' },
    retries: 1,
  })
  .finally('report', {
    task: 'notify',
    params: ({ tasks }) => ({ status: tasks.build.status, digest: tasks.build.results.digest }),
  });
