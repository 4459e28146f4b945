import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateTektonDocument } from '../validation/validate-document.js';
import { buildTask, cloneTask, seedPipeline } from './seed-fixture.js';

describe('typed builders', () => {
  it('renders the seed pipeline as valid v1 YAML with references as Tekton variables', () => {
    const document = parse(seedPipeline.toYaml('ci'));
    expect(document.apiVersion).toBe('tekton.dev/v1');
    expect(document.metadata).toEqual({ name: 'gitops-ci', namespace: 'ci' });
    expect(document.spec.tasks.map((task: { name: string }) => task.name)).toEqual([
      'clone',
      'test',
      'build',
    ]);
    const build = document.spec.tasks[2];
    expect(build.runAfter).toEqual(['test']);
    expect(build.params).toEqual([
      { name: 'image', value: '$(params.image)' },
      { name: 'commit', value: '$(tasks.clone.results.commit)' },
    ]);
    expect(build.retries).toBe(1);
    expect(document.spec.finally[0].params).toContainEqual({
      name: 'status',
      value: '$(tasks.build.status)',
    });
    expect(validateTektonDocument(document)).toMatchObject({ valid: true, issues: [] });
  });

  it('renders tasks whose steps use declared params, results and workspaces', () => {
    const task = cloneTask.toObject();
    expect(task.spec.params).toEqual([
      { name: 'url', type: 'string' },
      { name: 'revision', type: 'string', default: 'main' },
    ]);
    expect(task.spec.steps?.[0]?.script).toContain('$(results.commit.path)');
    expect(validateTektonDocument(task).valid).toBe(true);
    expect(validateTektonDocument(buildTask.toObject()).valid).toBe(true);
  });

  it('embeds a task spec when asked', async () => {
    const { definePipeline } = await import('./define-pipeline.js');
    const pipeline = definePipeline({ name: 'p', params: { image: {} }, workspaces: ['ws'] }).task('build', {
      task: buildTask,
      embed: true,
      params: ({ params }) => ({ image: params.image, commit: 'abc' }),
      workspaces: { source: 'ws' },
    });
    const object = pipeline.toObject();
    expect(object.spec.tasks?.[0]?.taskSpec?.steps?.[0]?.name).toBe('build');
    expect(object.spec.tasks?.[0]?.taskRef).toBeUndefined();
    expect(validateTektonDocument(object)).toMatchObject({ valid: true });
  });
});
