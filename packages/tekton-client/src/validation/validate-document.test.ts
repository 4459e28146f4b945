import { describe, expect, it } from 'vitest';
import { validateTektonDocument } from './validate-document.js';

const pipeline = (spec: Record<string, unknown>) => ({
  apiVersion: 'tekton.dev/v1',
  kind: 'Pipeline',
  metadata: { name: 'p' },
  spec,
});
const step = (script: string) => ({ name: 's', image: 'alpine', script });
const codes = (document: unknown) => validateTektonDocument(document).issues.map((issue) => issue.code);

describe('validateTektonDocument: true positives', () => {
  it('reports an unknown runAfter target with its path', () => {
    const result = validateTektonDocument(
      pipeline({ tasks: [{ name: 'a', taskRef: { name: 't' }, runAfter: ['ghost'] }] }),
    );
    expect(result.valid).toBe(false);
    expect(result.issues).toEqual([
      expect.objectContaining({ code: 'unknown-run-after', path: ['spec', 'tasks', 0, 'runAfter', 0] }),
    ]);
  });

  it('reports cycles through runAfter and through result references', () => {
    expect(
      codes(
        pipeline({
          tasks: [
            { name: 'a', taskRef: { name: 't' }, runAfter: ['b'] },
            { name: 'b', taskRef: { name: 't' }, params: [{ name: 'x', value: '$(tasks.a.results.r)' }] },
          ],
        }),
      ),
    ).toEqual(['cycle']);
  });

  it('reports runAfter in finally, and finally without tasks', () => {
    expect(
      codes(
        pipeline({
          tasks: [{ name: 'a', taskRef: { name: 't' } }],
          finally: [{ name: 'f', taskRef: { name: 't' }, runAfter: ['a'] }],
        }),
      ),
    ).toEqual(['finally-run-after']);
    expect(codes(pipeline({ finally: [{ name: 'f', taskRef: { name: 't' } }] }))).toEqual([
      'finally-without-tasks',
    ]);
  });

  it('reports unresolved params, task results, workspaces and result paths', () => {
    const result = validateTektonDocument(
      pipeline({
        params: [{ name: 'revision' }],
        workspaces: [{ name: 'shared' }],
        tasks: [
          {
            name: 'clone',
            taskSpec: {
              results: [{ name: 'commit' }],
              steps: [step('echo $(params.revison) > $(results.comit.path)')],
            },
          },
          {
            name: 'build',
            taskRef: { name: 'kaniko' },
            params: [
              { name: 'a', value: '$(tasks.clone.results.sha)' },
              { name: 'b', value: '$(tasks.clonee.results.commit)' },
            ],
            workspaces: [{ name: 'source', workspace: 'sharde' }],
          },
        ],
      }),
    );
    expect(result.issues.map((issue) => [issue.code, issue.path.join('.')])).toEqual([
      ['unknown-param', 'spec.tasks.0.taskSpec.steps.0.script'],
      ['unknown-result', 'spec.tasks.0.taskSpec.steps.0.script'],
      ['unknown-result', 'spec.tasks.1.params.0.value'],
      ['unknown-task-reference', 'spec.tasks.1.params.1.value'],
      ['unknown-workspace', 'spec.tasks.1.workspaces.0.workspace'],
    ]);
  });

  it('reports unbound workspaces, missing params and param type mismatches of a PipelineRun', () => {
    const result = validateTektonDocument({
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: { generateName: 'r-' },
      spec: {
        params: [{ name: 'list', value: 'not-an-array' }],
        pipelineSpec: {
          params: [{ name: 'list', type: 'array' }, { name: 'required' }],
          workspaces: [{ name: 'source' }],
          tasks: [{ name: 'a', taskSpec: { steps: [step('echo $(params.list[*])')] } }],
        },
      },
    });
    expect(result.issues.map((issue) => issue.code).sort()).toEqual([
      'missing-param',
      'param-type-mismatch',
      'unbound-workspace',
    ]);
  });

  it('reports schema errors with paths and rejects non-Tekton kinds', () => {
    const result = validateTektonDocument(pipeline({ tasks: [{ taskRef: { name: 't' } }] }));
    expect(result.issues[0]).toMatchObject({ code: 'schema', path: ['spec', 'tasks', 0, 'name'] });
    expect(codes({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} })).toEqual(['unsupported-kind']);
  });
});

describe('validateTektonDocument: no false positives', () => {
  it('accepts propagated params and workspaces in embedded specs, and implicit result references', () => {
    const result = validateTektonDocument({
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: { generateName: 'r-' },
      spec: {
        params: [{ name: 'greeting', value: 'hi' }],
        workspaces: [{ name: 'data', emptyDir: {} }],
        pipelineSpec: {
          tasks: [
            {
              name: 'one',
              taskSpec: {
                results: [{ name: 'uid' }],
                steps: [step('echo $(params.greeting) > $(results.uid.path)')],
              },
            },
            {
              name: 'two',
              taskSpec: { steps: [step('cat $(workspaces.data.path)/x; echo $(tasks.one.results.uid)')] },
            },
          ],
        },
      },
    });
    expect(result).toEqual({ kind: 'PipelineRun', valid: true, issues: [] });
  });

  it('accepts array/object params, shell substitutions, escaped variables and context variables', () => {
    const result = validateTektonDocument({
      apiVersion: 'tekton.dev/v1',
      kind: 'Task',
      metadata: { name: 't' },
      spec: {
        params: [
          { name: 'args', type: 'array' },
          { name: 'git', properties: { url: { type: 'string' } } },
          { name: 'dotted.name' },
        ],
        steps: [
          { name: 'a', image: 'x', args: ['$(params.args[*])', '$(params.args[0])', '$(params.git.url)'] },
          step('echo $(date) $$(params.nope) $(context.taskRun.name) $(params["dotted.name"]) $(( 1 + 2 ))'),
        ],
      },
    });
    expect(result.issues).toEqual([]);
  });

  it('accepts finally reading task status and results, and matrix params in displayName', () => {
    const result = validateTektonDocument(
      pipeline({
        tasks: [
          {
            name: 'm',
            displayName: 'build $(params.platform)',
            matrix: { params: [{ name: 'platform', value: ['linux', 'mac'] }] },
            taskSpec: {
              params: [{ name: 'platform' }],
              results: [{ name: 'out' }],
              steps: [step('echo $(params.platform)')],
            },
          },
        ],
        finally: [
          {
            name: 'f',
            taskRef: { name: 't' },
            params: [{ name: 's', value: '$(tasks.m.status) $(tasks.m.results.out[*]) $(tasks.status)' }],
          },
        ],
      }),
    );
    expect(result.issues).toEqual([]);
  });
});
