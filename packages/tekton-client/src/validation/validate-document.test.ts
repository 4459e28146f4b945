import { describe, expect, it } from 'vitest';
import { goDurationProblem } from './go-duration.js';
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

describe("validateTektonDocument: what Tekton's webhook refuses", () => {
  const task = (spec: Record<string, unknown>, apiVersion = 'tekton.dev/v1') => ({
    apiVersion,
    kind: 'Task',
    metadata: { name: 't' },
    spec,
  });
  const issuesOf = (document: unknown) =>
    validateTektonDocument(document).issues.map((issue) => [issue.code, issue.path.join('.')]);

  it('reports unknown fields anywhere in Tekton types, matching field names case-insensitively like Go', () => {
    expect(
      issuesOf(task({ bogusField: 1, steps: [{ name: 'a', image: 'x', scirpt: 'make', Script: 'make' }] })),
    ).toEqual([
      ['unknown-field', 'spec.bogusField'],
      ['unknown-field', 'spec.steps.0.scirpt'],
    ]);
    // Kubernetes core types inside Tekton types are not described by Tekton's swagger and stay unchecked.
    expect(
      issuesOf(task({ steps: [{ name: 'a', image: 'x', env: [{ name: 'A', valueFrom: {} }] }] })),
    ).toEqual([]);
  });

  it("reports durations Go cannot parse, with Go's message", () => {
    const run = {
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: { name: 'r' },
      spec: { pipelineRef: { name: 'p' }, timeouts: { pipeline: '1 hour', tasks: '10', finally: '30m' } },
    };
    expect(validateTektonDocument(run).issues).toEqual([
      {
        code: 'invalid-duration',
        path: ['spec', 'timeouts', 'pipeline'],
        message: 'time: unknown unit " hour" in duration "1 hour"',
      },
      {
        code: 'invalid-duration',
        path: ['spec', 'timeouts', 'tasks'],
        message: 'time: missing unit in duration "10"',
      },
    ]);
    expect(['1h0m0s', '.5s', '1.s', '-2m', '0', '1500\u00b5s'].map(goDurationProblem)).toEqual(
      Array(6).fill(undefined),
    );
    expect(goDurationProblem('soon')).toBe('time: invalid duration "soon"');
  });

  it('reports a pipeline task with both or neither of taskRef and taskSpec', () => {
    expect(
      issuesOf(
        pipeline({
          tasks: [
            { name: 'a', taskRef: { name: 't' }, taskSpec: { steps: [step('x')] } },
            { name: 'b' },
            { name: 'c', pipelineRef: { name: 'child' } },
          ],
        }),
      ),
    ).toEqual([
      ['task-ref-or-spec', 'spec.tasks.0'],
      ['task-ref-or-spec', 'spec.tasks.1'],
    ]);
  });

  it('reports repeated step names and result names Tekton refuses', () => {
    expect(
      issuesOf(
        task({
          results: [{ name: 'ok.name_1' }, { name: 'image digest' }, { name: '-x' }],
          steps: [step('a'), step('b')],
        }),
      ),
    ).toEqual([
      ['duplicate-step', 'spec.steps.1.name'],
      ['invalid-result-name', 'spec.results.1.name'],
      ['invalid-result-name', 'spec.results.2.name'],
    ]);
  });

  it('refuses apiVersions Tekton does not serve, and checks v1beta1 with a note', () => {
    expect(issuesOf(task({ steps: [step('x')] }, 'tekton.dev/v2'))).toEqual([
      ['unsupported-api-version', 'apiVersion'],
    ]);
    const beta = validateTektonDocument({
      apiVersion: 'tekton.dev/v1beta1',
      kind: 'PipelineRun',
      metadata: { name: 'r' },
      spec: { pipelineRef: { name: 'p' }, serviceAccountName: 'builder', timeout: '1h' },
    });
    expect(beta).toMatchObject({ valid: true, issues: [], notes: [expect.stringContaining('v1beta1')] });
  });

  it("accepts $(workspaces.x.bound) in a step's when for a workspace that is not declared (false positive)", () => {
    const document = task({
      steps: [
        {
          ...step('echo skipped'),
          when: [{ input: '$(workspaces.extra.bound)', operator: 'in', values: ['true'] }],
        },
      ],
    });
    expect(validateTektonDocument(document).issues).toEqual([]);
    // ...but using the path of a workspace that does not exist is still an error.
    expect(issuesOf(task({ steps: [step('ls $(workspaces.extra.path)')] }))).toEqual([
      ['unknown-workspace', 'spec.steps.0.script'],
    ]);
  });
});
