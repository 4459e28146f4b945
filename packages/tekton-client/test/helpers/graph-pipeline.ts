import type { Pipeline } from '../../src/schemas/pipeline.js';

/** A pipeline with every kind of edge Tekton knows: runAfter, result references in params/when/matrix, finally. */
export const GRAPH_PIPELINE: Pipeline = {
  apiVersion: 'tekton.dev/v1',
  kind: 'Pipeline',
  metadata: { name: 'build-and-deploy' },
  spec: {
    workspaces: [{ name: 'source' }, { name: 'cache' }],
    tasks: [
      {
        name: 'clone',
        taskRef: { name: 'git-clone' },
        workspaces: [{ name: 'output', workspace: 'source' }],
      },
      { name: 'lint', runAfter: ['clone'], workspaces: [{ name: 'source' }] },
      { name: 'test', runAfter: ['clone'], workspaces: [{ name: 'source' }, { name: 'cache' }] },
      {
        name: 'build',
        displayName: 'Build "image"',
        runAfter: ['lint', 'test'],
        params: [
          { name: 'revision', value: '$(tasks.clone.results.commit)' },
          { name: 'files', value: ['$(tasks.clone.results.changed[*])'] },
        ],
      },
      {
        name: 'scan',
        when: [{ input: '$(tasks.build.results.digest)', operator: 'notin', values: [''] }],
        matrix: { params: [{ name: 'target', value: ['$(tasks.clone.results.targets[*])'] }] },
      },
      {
        name: 'deploy',
        params: [{ name: 'image', value: '$(tasks.build.results.image-url)' }],
        runAfter: ['ghost'],
      },
    ],
    finally: [{ name: 'notify', params: [{ name: 'status', value: '$(tasks.status)' }] }],
  },
};
