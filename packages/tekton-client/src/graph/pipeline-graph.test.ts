import { describe, expect, it } from 'vitest';
import { GRAPH_PIPELINE } from '../../test/helpers/graph-pipeline.js';
import { formatPipelineGraphDot, formatPipelineGraphMermaid } from './format-pipeline-graph.js';
import { pipelineGraph } from './pipeline-graph.js';

describe('pipelineGraph', () => {
  it('finds runAfter, result and workspace edges and puts finally after the tasks nothing waits for', () => {
    const graph = pipelineGraph(GRAPH_PIPELINE);
    expect(graph.name).toBe('build-and-deploy');
    expect(graph.tasks.map((task) => [task.name, task.finally, task.conditional])).toEqual([
      ['clone', false, false],
      ['lint', false, false],
      ['test', false, false],
      ['build', false, false],
      ['scan', false, true],
      ['deploy', false, false],
      ['notify', true, false],
    ]);
    const ordering = graph.edges.filter((edge) => edge.kind !== 'workspace');
    expect(ordering).toEqual([
      { from: 'clone', to: 'lint', kind: 'runAfter' },
      { from: 'clone', to: 'test', kind: 'runAfter' },
      { from: 'lint', to: 'build', kind: 'runAfter' },
      { from: 'test', to: 'build', kind: 'runAfter' },
      { from: 'clone', to: 'build', kind: 'result', label: 'commit' },
      { from: 'clone', to: 'build', kind: 'result', label: 'changed' },
      // params, then matrix, then when: the order Tekton reads them in.
      { from: 'clone', to: 'scan', kind: 'result', label: 'targets' },
      { from: 'build', to: 'scan', kind: 'result', label: 'digest' },
      { from: 'build', to: 'deploy', kind: 'result', label: 'image-url' },
      // `ghost` does not exist: no edge (validation reports it). scan and deploy are the sinks.
      { from: 'scan', to: 'notify', kind: 'finally' },
      { from: 'deploy', to: 'notify', kind: 'finally' },
    ]);
    expect(graph.workspaces).toEqual(['source', 'cache']);
    expect(graph.edges.filter((edge) => edge.kind === 'workspace')).toEqual([
      { from: 'clone', to: 'source', kind: 'workspace', label: 'output' },
      { from: 'lint', to: 'source', kind: 'workspace' },
      { from: 'test', to: 'source', kind: 'workspace' },
      { from: 'test', to: 'cache', kind: 'workspace' },
    ]);
  });

  it('renders Mermaid: merged labelled arrows, rhombi for when, a finally subgraph, escaped labels', () => {
    const text = formatPipelineGraphMermaid(pipelineGraph(GRAPH_PIPELINE));
    expect(text).toContain('flowchart LR\n  t0["clone"]\n');
    expect(text).toContain('t3["Build #quot;image#quot; (build)"]');
    expect(text).toContain('t4{"scan"}');
    expect(text).toContain('  subgraph finally\n    t6["notify"]\n  end\n');
    expect(text).toContain('  t0 -->|"commit, changed"| t3\n');
    expect(text).toContain('  t4 -.-> t6\n');
    expect(text).toContain('  w0[("source")]\n');
    expect(text).toContain('  t0 -.- w0\n');
    expect(formatPipelineGraphMermaid(pipelineGraph(GRAPH_PIPELINE), { workspaces: false })).not.toContain(
      'w0',
    );
  });

  it('renders DOT with quoted IDs, a finally cluster and dashed finally edges', () => {
    const text = formatPipelineGraphDot(pipelineGraph(GRAPH_PIPELINE));
    expect(text.startsWith('digraph "build-and-deploy" {\n')).toBe(true);
    expect(text).toContain('"task:build" [label="Build \\"image\\""];');
    expect(text).toContain('subgraph "cluster_finally" {');
    expect(text).toContain('"task:clone" -> "task:build" [label="commit, changed"];');
    expect(text).toContain('"task:deploy" -> "task:notify" [style=dashed];');
    expect(text.trimEnd().endsWith('}')).toBe(true);
  });

  it('accepts a bare PipelineSpec (as embedded in a PipelineRun)', () => {
    const graph = pipelineGraph({ tasks: [{ name: 'a' }, { name: 'b', runAfter: ['a'] }] });
    expect(graph.name).toBeUndefined();
    expect(graph.edges).toEqual([{ from: 'a', to: 'b', kind: 'runAfter' }]);
  });
});
