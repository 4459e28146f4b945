// Compile-time checks, verified by `npm run typecheck` (tsc): each @ts-expect-error must be an error.
import { definePipeline } from './define-pipeline.js';
import { defineTask } from './define-task.js';
import { buildTask, cloneTask } from './seed-fixture.js';

defineTask({
  name: 'typo',
  params: { revision: {} },
  // @ts-expect-error -- `revisoin` is not a declared param
  steps: ({ params }) => [{ name: 's', image: 'x', script: params.revisoin }],
});

defineTask({
  name: 'bad-result',
  results: ['digest'],
  // @ts-expect-error -- `digets` is not a declared result
  steps: ({ results }) => [{ name: 's', image: 'x', script: results.digets.path }],
});

const base = definePipeline({ name: 'p', params: { repoUrl: {} }, workspaces: ['shared'] });

base.task('clone', {
  task: cloneTask,
  // @ts-expect-error -- runAfter must name an earlier task
  runAfter: ['nope'],
  params: ({ params }) => ({ url: params.repoUrl }),
});

// @ts-expect-error -- the required param `url` of git-clone is missing
base.task('clone', { task: cloneTask, params: () => ({ revision: 'main' }) });

// @ts-expect-error -- `repoURL` is not a pipeline param
base.task('clone', { task: cloneTask, params: ({ params }) => ({ url: params.repoURL }) });

base.task('clone', {
  task: cloneTask,
  params: ({ params }) => ({ url: params.repoUrl }),
  // @ts-expect-error -- pipeline workspace `shard` does not exist
  workspaces: { output: 'shard' },
});

const withClone = base.task('clone', { task: cloneTask, params: ({ params }) => ({ url: params.repoUrl }) });

withClone.task('build', {
  task: buildTask,
  runAfter: ['clone'],
  // @ts-expect-error -- git-clone declares no result `sha`
  params: ({ tasks }) => ({ image: 'x', commit: tasks.clone.results.sha }),
});

// @ts-expect-error -- a task name cannot be used twice
withClone.task('clone', { task: 'other' });

// Valid: result of an earlier task, optional param omitted.
withClone.task('build', {
  task: buildTask,
  params: ({ tasks }) => ({ image: 'x', commit: tasks.clone.results.commit }),
});
