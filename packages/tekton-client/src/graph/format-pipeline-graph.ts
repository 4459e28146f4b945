import type { PipelineGraph, PipelineGraphEdge } from './pipeline-graph.js';

/** Options of the graph formatters. */
export interface FormatPipelineGraphOptions {
  /** Draw the workspaces and which tasks use them (default true). */
  workspaces?: boolean;
  /** Layout direction: left to right (default) or top to bottom. */
  direction?: 'LR' | 'TB';
}

/** The ordering edges between two tasks merged into one arrow, labelled with the results it carries. */
function orderingArrows(
  graph: PipelineGraph,
): Array<{ from: string; to: string; labels: string[]; finally: boolean }> {
  const arrows = new Map<string, { from: string; to: string; labels: string[]; finally: boolean }>();
  for (const edge of graph.edges) {
    if (edge.kind === 'workspace') continue;
    const key = `${edge.from}\u0000${edge.to}`;
    const arrow = arrows.get(key) ?? {
      from: edge.from,
      to: edge.to,
      labels: [],
      finally: edge.kind === 'finally',
    };
    if (edge.kind === 'result' && edge.label && !arrow.labels.includes(edge.label))
      arrow.labels.push(edge.label);
    arrows.set(key, arrow);
  }
  return [...arrows.values()];
}

function workspaceEdges(graph: PipelineGraph): PipelineGraphEdge[] {
  return graph.edges.filter((edge) => edge.kind === 'workspace');
}

/** Mermaid text in a label: quotes and angle brackets as entity codes, as Mermaid's docs prescribe. */
function mermaidText(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

/**
 * The graph as a Mermaid `flowchart` (renders in GitHub/GitLab Markdown inside a ```mermaid block): tasks as
 * boxes (`when`-guarded ones as rhombi), finally tasks in their own subgraph, result edges labelled with the
 * result, workspaces as cylinders joined by dotted lines.
 *
 * @example formatPipelineGraphMermaid(pipelineGraph(pipeline)).split('\n')[0] // 'flowchart LR'
 */
export function formatPipelineGraphMermaid(
  graph: PipelineGraph,
  options: FormatPipelineGraphOptions = {},
): string {
  const ids = new Map(graph.tasks.map((task, index) => [task.name, `t${index}`]));
  const workspaceIds = new Map(graph.workspaces.map((workspace, index) => [workspace, `w${index}`]));
  const node = (task: PipelineGraph['tasks'][number]): string => {
    const label = mermaidText(task.label === task.name ? task.name : `${task.label} (${task.name})`);
    return task.conditional ? `${ids.get(task.name)}{"${label}"}` : `${ids.get(task.name)}["${label}"]`;
  };
  const lines = [`flowchart ${options.direction ?? 'LR'}`];
  for (const task of graph.tasks.filter((item) => !item.finally)) lines.push(`  ${node(task)}`);
  const finallyTasks = graph.tasks.filter((item) => item.finally);
  if (finallyTasks.length > 0) {
    lines.push('  subgraph finally');
    for (const task of finallyTasks) lines.push(`    ${node(task)}`);
    lines.push('  end');
  }
  for (const arrow of orderingArrows(graph)) {
    const from = ids.get(arrow.from);
    const to = ids.get(arrow.to);
    if (!from || !to) continue;
    const link = arrow.finally ? '-.->' : '-->';
    lines.push(
      arrow.labels.length > 0
        ? `  ${from} ${link}|"${mermaidText(arrow.labels.join(', '))}"| ${to}`
        : `  ${from} ${link} ${to}`,
    );
  }
  if (options.workspaces !== false && graph.workspaces.length > 0) {
    for (const workspace of graph.workspaces)
      lines.push(`  ${workspaceIds.get(workspace)}[("${mermaidText(workspace)}")]`);
    for (const edge of workspaceEdges(graph)) {
      const from = ids.get(edge.from);
      const to = workspaceIds.get(edge.to);
      if (from && to) lines.push(`  ${from} -.- ${to}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A DOT ID: always double-quoted, with `"` and `\` escaped (Graphviz's quoted-string rule). */
function dotId(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The graph in Graphviz DOT (`dot -Tsvg`): tasks as boxes (`when`-guarded ones as diamonds), finally tasks in a
 * cluster, dashed edges into finally, result edges labelled, workspaces as cylinders joined by dotted lines.
 *
 * @example formatPipelineGraphDot(pipelineGraph(pipeline)).startsWith('digraph') // true
 */
export function formatPipelineGraphDot(
  graph: PipelineGraph,
  options: FormatPipelineGraphOptions = {},
): string {
  const lines = [
    `digraph ${dotId(graph.name ?? 'pipeline')} {`,
    `  rankdir=${options.direction ?? 'LR'};`,
    '  node [shape=box, style=rounded];',
  ];
  const taskNode = (task: PipelineGraph['tasks'][number]): string =>
    `${dotId(`task:${task.name}`)} [label=${dotId(task.label)}${task.conditional ? ', shape=diamond' : ''}];`;
  for (const task of graph.tasks.filter((item) => !item.finally)) lines.push(`  ${taskNode(task)}`);
  const finallyTasks = graph.tasks.filter((item) => item.finally);
  if (finallyTasks.length > 0) {
    lines.push('  subgraph "cluster_finally" {', '    label="finally";');
    for (const task of finallyTasks) lines.push(`    ${taskNode(task)}`);
    lines.push('  }');
  }
  for (const arrow of orderingArrows(graph)) {
    const attributes = [
      ...(arrow.labels.length > 0 ? [`label=${dotId(arrow.labels.join(', '))}`] : []),
      ...(arrow.finally ? ['style=dashed'] : []),
    ];
    lines.push(
      `  ${dotId(`task:${arrow.from}`)} -> ${dotId(`task:${arrow.to}`)}${attributes.length > 0 ? ` [${attributes.join(', ')}]` : ''};`,
    );
  }
  if (options.workspaces !== false && graph.workspaces.length > 0) {
    for (const workspace of graph.workspaces) {
      lines.push(
        `  ${dotId(`workspace:${workspace}`)} [label=${dotId(workspace)}, shape=cylinder, style=""];`,
      );
    }
    for (const edge of workspaceEdges(graph)) {
      lines.push(
        `  ${dotId(`task:${edge.from}`)} -> ${dotId(`workspace:${edge.to}`)} [style=dotted, arrowhead=none, constraint=false];`,
      );
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
