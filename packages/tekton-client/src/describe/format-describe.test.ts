import { describe, expect, it } from 'vitest';
import type { PipelineRun, TaskRun } from '../schemas/runs.js';
import { buildPipelineRunDescription } from './describe-model.js';
import { formatAge } from './format-age.js';
import { formatDescribe } from './format-describe.js';
import { formatGoDuration, parseGoDurationMs } from './go-duration.js';
import { alignColumns } from './tabwriter.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString().replace('.000Z', 'Z');

const taskRun = (
  name: string,
  task: string,
  started: number | undefined,
  finished: number | undefined,
  status: string,
  reason?: string,
): TaskRun => ({
  apiVersion: 'tekton.dev/v1',
  kind: 'TaskRun',
  metadata: {
    name,
    labels: { 'tekton.dev/pipelineRun': 'gitlab-run-x7k2p', 'tekton.dev/pipelineTask': task },
  },
  spec: {},
  status: {
    ...(started === undefined ? {} : { startTime: at(started) }),
    ...(finished === undefined ? {} : { completionTime: at(finished) }),
    conditions: [{ type: 'Succeeded', status, ...(reason ? { reason } : {}) }],
  },
});

const run: PipelineRun = {
  apiVersion: 'tekton.dev/v1',
  kind: 'PipelineRun',
  metadata: {
    name: 'gitlab-run-x7k2p',
    namespace: 'ci',
    labels: { 'triggers.tekton.dev/eventlistener': 'gitlab', app: 'demo' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', note: 'seed' },
  },
  spec: {
    pipelineRef: { name: 'gitops-ci' },
    taskRunTemplate: { serviceAccountName: 'pipeline-sa' },
    timeouts: { pipeline: '1h0m0s', tasks: '45m' },
    params: [
      { name: 'revision', value: 'a1b2c3' },
      { name: 'tags', value: ['latest', 'v1'] },
      { name: 'meta', value: { team: 'ci', env: 'dev' } },
    ],
    workspaces: [
      { name: 'shared', volumeClaimTemplate: { spec: {} } },
      { name: 'cache', subPath: 'npm', persistentVolumeClaim: { claimName: 'npm-cache' } },
      { name: 'creds', secret: { secretName: 'git', items: [{ key: 'token', path: 'token' }] } },
    ],
  },
  status: {
    startTime: at(10),
    completionTime: at(4),
    conditions: [
      {
        type: 'Succeeded',
        status: 'False',
        reason: 'Failed',
        message: 'Tasks Completed: 3 (Failed: 1, Cancelled 0), Skipped: 1',
      },
    ],
    childReferences: [
      { kind: 'TaskRun', name: 'gitlab-run-x7k2p-clone', pipelineTaskName: 'clone' },
      { kind: 'TaskRun', name: 'gitlab-run-x7k2p-test', pipelineTaskName: 'test' },
      { kind: 'TaskRun', name: 'gitlab-run-x7k2p-build', pipelineTaskName: 'build' },
      { kind: 'CustomRun', name: 'gitlab-run-x7k2p-approve', pipelineTaskName: 'approve' },
    ],
    results: [{ name: 'commit', value: 'a1b2c3' }],
    skippedTasks: [{ name: 'sync', reason: 'Parent Tasks were skipped' }],
  },
};

const EXPECTED = `Name:              gitlab-run-x7k2p
Namespace:         ci
Pipeline Ref:      gitops-ci
Service Account:   pipeline-sa
Labels:
 app=demo
 triggers.tekton.dev/eventlistener=gitlab
Annotations:
 note=seed

Status

STARTED          DURATION   STATUS
10 minutes ago   6m0s       Failed

Message

Tasks Completed: 3 (Failed: 1, Cancelled 0), Skipped: 1
TaskRun(s) cancelled: gitlab-run-x7k2p-build

Timeouts
 Pipeline:   1h0m0s
 Tasks:      45m0s

Params

 NAME       VALUE
 revision   a1b2c3
 tags       [latest v1]
 meta       map[env:dev team:ci]

Results

 NAME     VALUE
 commit   a1b2c3

Workspaces

 NAME     SUB PATH   WORKSPACE BINDING
 shared   ---        VolumeClaimTemplate
 cache    npm        PersistentVolumeClaim (claimName=npm-cache)
 creds    ---        Secret (secret=git,item=token=token)

Taskruns

 NAME                     TASK NAME   STARTED          DURATION   STATUS
 gitlab-run-x7k2p-build   build       6 minutes ago    1m30s      Failed(StepFailed)
 gitlab-run-x7k2p-test    test        8 minutes ago    2m0s       Succeeded
 gitlab-run-x7k2p-clone   clone       10 minutes ago   2m0s       Succeeded

Skipped Tasks

 NAME
 sync
`;

describe('formatDescribe', () => {
  it('lays a failed run out like tkn pr describe, from one TaskRun list', () => {
    const taskRuns = [
      taskRun('gitlab-run-x7k2p-clone', 'clone', 10, 8, 'True', 'Succeeded'),
      taskRun('gitlab-run-x7k2p-test', 'test', 8, 6, 'True', 'Succeeded'),
      taskRun('gitlab-run-x7k2p-build', 'build', 6, 4.5, 'False', 'StepFailed'),
      taskRun('unrelated-leftover', 'other', 1, 0, 'True'),
    ];
    const text = formatDescribe(buildPipelineRunDescription(run, taskRuns), { nowMs: NOW });
    // Each column is 3 wider than its widest cell (the STARTED column: "10 minutes ago"); CustomRuns and
    // TaskRuns not in childReferences are left out, as tkn does.
    expect(text).toBe(EXPECTED);
  });

  it('puts TaskRuns without a start time first and shows a running run with ---', () => {
    const running: PipelineRun = {
      ...run,
      status: {
        startTime: at(1),
        conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Running' }],
        childReferences: run.status?.childReferences?.slice(0, 2),
      },
    };
    const description = buildPipelineRunDescription(running, [
      taskRun('gitlab-run-x7k2p-clone', 'clone', 1, 0.5, 'True'),
      {
        ...taskRun('gitlab-run-x7k2p-test', 'test', undefined, undefined, 'Unknown', 'Pending'),
        status: { conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Pending' }] },
      },
    ]);
    expect(description.taskRuns.map((row) => row.name)).toEqual([
      'gitlab-run-x7k2p-test',
      'gitlab-run-x7k2p-clone',
    ]);
    const text = formatDescribe(description, { nowMs: NOW });
    expect(text).toContain('STARTED        DURATION   STATUS\n1 minute ago   ---        Running\n');
    expect(text).not.toContain('Message');
    expect(text).toContain(
      ' gitlab-run-x7k2p-test    test        ---            ---        Running(Pending)',
    );
  });
});

describe('time formatting', () => {
  it('formats ages like durafmt short: largest unit, floored, singular, future with a minus', () => {
    expect(formatAge(at(4.9), NOW)).toBe('4 minutes ago');
    expect(formatAge(at(1), NOW)).toBe('1 minute ago');
    expect(formatAge(at(60 * 24 * 15), NOW)).toBe('2 weeks ago');
    expect(formatAge(at(0), NOW)).toBe('0 seconds ago');
    expect(formatAge(at(-10), NOW)).toBe('-10 minutes ago');
    expect(formatAge(undefined, NOW)).toBe('---');
  });

  it('formats and parses Go durations', () => {
    expect(formatGoDuration(240_000)).toBe('4m0s');
    expect(formatGoDuration(3_600_000)).toBe('1h0m0s');
    expect(formatGoDuration(1_500)).toBe('1.5s');
    expect(formatGoDuration(500)).toBe('500ms');
    expect(formatGoDuration(0)).toBe('0s');
    expect(formatGoDuration(5_430_250)).toBe('1h30m30.25s');
    expect(parseGoDurationMs('1h30m')).toBe(5_400_000);
    expect(parseGoDurationMs('0')).toBe(0);
    expect(parseGoDurationMs('90s')).toBe(90_000);
    expect(parseGoDurationMs('soon')).toBeUndefined();
  });

  it('aligns columns per contiguous block like text/tabwriter', () => {
    expect(alignColumns('a\tbb\tc\nccc\td\te\n\nx\ty', { padding: 3 })).toBe(
      'a     bb   c\nccc   d    e\n\nx   y',
    );
  });
});

describe('formatDescribe with the pipeline graph', () => {
  it('appends the graph of status.pipelineSpec when asked, and nothing without a spec', () => {
    const withSpec: PipelineRun = {
      ...run,
      status: {
        ...run.status,
        pipelineSpec: { tasks: [{ name: 'clone' }, { name: 'test', runAfter: ['clone'] }] },
      },
    };
    const description = buildPipelineRunDescription(withSpec, []);
    const plain = formatDescribe(description, { nowMs: NOW });
    const mermaid = formatDescribe(description, { nowMs: NOW, graph: 'mermaid' });
    expect(mermaid).toBe(`${plain}\nGraph\n\nflowchart LR\n  t0["clone"]\n  t1["test"]\n  t0 --> t1\n`);
    const dot = formatDescribe(description, { nowMs: NOW, graph: 'dot' });
    expect(dot).toContain('"task:clone" -> "task:test";');
    const withoutSpec = buildPipelineRunDescription({ ...run, status: { ...run.status } }, []);
    expect(formatDescribe(withoutSpec, { nowMs: NOW, graph: 'mermaid' })).toBe(
      formatDescribe(withoutSpec, { nowMs: NOW }),
    );
  });
});
