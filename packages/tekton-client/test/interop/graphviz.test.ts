import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatPipelineGraphDot, pipelineGraph } from '../../src/index.js';
import { GRAPH_PIPELINE } from '../helpers/graph-pipeline.js';

function graphvizAvailable(): boolean {
  return spawnSync('dot', ['-V'], { stdio: 'ignore' }).status === 0;
}

describe('Graphviz reads our DOT', () => {
  it('dot lays out every node and edge of the graph', () => {
    if (!graphvizAvailable()) {
      throw new Error('Graphviz `dot` is missing: install the Debian package graphviz (.ci/run does)');
    }
    const dot = formatPipelineGraphDot(pipelineGraph(GRAPH_PIPELINE));
    // -Tplain lists the laid-out nodes and edges: Graphviz parsed every statement we wrote.
    const plain = execFileSync('dot', ['-Tplain'], { input: dot, encoding: 'utf8' });
    const nodes = plain.split('\n').filter((line) => line.startsWith('node '));
    const edges = plain.split('\n').filter((line) => line.startsWith('edge '));
    expect(nodes.map((line) => line.split(' ')[1]).sort()).toEqual(
      [
        '"task:build"',
        '"task:clone"',
        '"task:deploy"',
        '"task:lint"',
        '"task:notify"',
        '"task:scan"',
        '"task:test"',
        '"workspace:cache"',
        '"workspace:source"',
      ]
        .map((name) => name.replace(/"/g, ''))
        .sort()
        .map((name) => (name.includes(':') ? `"${name}"` : name)),
    );
    // 10 task arrows (clone→build merged) and 4 workspace lines.
    expect(edges).toHaveLength(14);
    expect(plain).toContain('commit, changed');
  });
});
