/** A `$(...)` variable found in a string, with where it was found. */
export interface VariableReference {
  /** The full expression without `$(` and `)`, e.g. `params.revision` or `tasks.build.results.digest`. */
  expression: string;
  path: Array<string | number>;
}

/**
 * Finds Tekton variables in a string. `$$(` is an escaped literal and is skipped; shell command substitution such
 * as `$(cat file)` is not a Tekton variable because it does not start with a known root.
 */
export function variablesIn(text: string): string[] {
  const found: string[] = [];
  const pattern = /\$\(([^()]*)\)/g;
  for (const match of text.matchAll(pattern)) {
    const start = match.index ?? 0;
    if (start > 0 && text[start - 1] === '$') continue;
    const expression = (match[1] ?? '').trim();
    if (/^(params|tasks|finally|workspaces|results|steps|step|context)\b/.test(expression))
      found.push(expression);
  }
  return found;
}

/** Collects variables below `value`, skipping the keys listed in `skipKeys` (nested scopes). */
export function collectReferences(
  value: unknown,
  basePath: Array<string | number>,
  skipKeys: ReadonlySet<string> = new Set(),
): VariableReference[] {
  const out: VariableReference[] = [];
  const walk = (node: unknown, path: Array<string | number>): void => {
    if (typeof node === 'string') {
      for (const expression of variablesIn(node)) out.push({ expression, path });
    } else if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) walk(item, [...path, index]);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (!skipKeys.has(key)) walk(child, [...path, key]);
      }
    }
  };
  walk(value, basePath);
  return out;
}

/**
 * The name a `params` expression refers to: `params.x`, `params.x[*]`, `params.x[0]`, `params.x.key`,
 * `params["a.b"]`, `params['a.b']`.
 */
export function referencedParamName(expression: string): string | undefined {
  const bracket = /^params\[\s*(["'])(.+?)\1\s*\]/.exec(expression);
  if (bracket) return bracket[2];
  const dotted = /^params\.([A-Za-z0-9_-]+)/.exec(expression);
  return dotted?.[1];
}

/** `tasks.<task>.results.<result>` (also `finally.`), or `tasks.<task>.status|reason`. */
export function parseTaskReference(
  expression: string,
): { root: 'tasks' | 'finally'; task: string; field: string; result?: string } | undefined {
  const match =
    /^(tasks|finally)\.([A-Za-z0-9_-]+)\.(results|status|reason)(?:\.([A-Za-z0-9_.-]+?))?(?:\[[^\]]*\])?$/.exec(
      expression,
    );
  if (!match) return undefined;
  const reference: { root: 'tasks' | 'finally'; task: string; field: string; result?: string } = {
    root: match[1] as 'tasks' | 'finally',
    task: match[2] ?? '',
    field: match[3] ?? '',
  };
  if (match[4]) reference.result = match[4].split('.')[0] ?? match[4];
  return reference;
}

/** `workspaces.<name>.<field>`. */
export function referencedWorkspaceName(expression: string): string | undefined {
  return /^workspaces\.([A-Za-z0-9_.-]+?)\.(path|bound|claim|volume)$/.exec(expression)?.[1];
}

/** `results.<name>.path` (task results written by steps). */
export function referencedResultName(expression: string): string | undefined {
  return /^results\.([A-Za-z0-9_-]+)\.path$/.exec(expression)?.[1];
}
