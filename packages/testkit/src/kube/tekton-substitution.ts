import type { ParamValue } from './task-script.js';

/** Looks up one variable (the text inside `$(...)`); `undefined` leaves the reference as written. */
export type VariableResolver = (expression: string) => ParamValue | undefined;

const REFERENCE = /\$\(([^()]+)\)/g;
const WHOLE_REFERENCE = /^\$\(([^()]+)\)$/;

/** Normalises `params["x"]` and `params['x']` to `params.x`. */
function normaliseExpression(expression: string): string {
  return expression.trim().replace(/\[["']([^"']+)["']\]/g, '.$1');
}

/**
 * Replaces Tekton variable references in a JSON value. A string that is exactly one reference to an array
 * or object value (`$(params.flags[*])`, `$(params.config)`) becomes that value; inside longer strings only
 * string values are substituted. Unknown references stay as written, as Tekton leaves them for later stages.
 *
 * @example
 * ```ts
 * substituteVariables({ args: ['--image', '$(params.image)'] }, (e) => (e === 'params.image' ? 'app:1' : undefined));
 * ```
 */
export function substituteVariables(value: unknown, resolve: VariableResolver): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_REFERENCE.exec(value);
    if (whole) {
      const resolved = resolve(normaliseExpression((whole[1] ?? '').replace(/\[\*\]$/, '')));
      if (resolved !== undefined) return structuredClone(resolved);
      return value;
    }
    return value.replace(REFERENCE, (text, expression: string) => {
      const resolved = resolve(normaliseExpression(expression));
      return typeof resolved === 'string' ? resolved : text;
    });
  }
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      const replaced = substituteVariables(item, resolve);
      return typeof item === 'string' && Array.isArray(replaced) ? replaced : [replaced];
    });
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substituteVariables(item, resolve)]),
    );
  }
  return value;
}

/** Every `$(tasks.<name>.results...)` task name referenced anywhere in a value. */
export function resultReferences(value: unknown): Set<string> {
  const names = new Set<string>();
  const text = JSON.stringify(value ?? null);
  for (const match of text.matchAll(/\$\(tasks\.([a-z0-9-]+)\.results\./g)) names.add(match[1] ?? '');
  return names;
}

/** Whether a value still holds a `$(tasks.x.results.y)` reference (its result was missing). */
export function hasUnresolvedResultReference(value: unknown): boolean {
  return /\$\(tasks\.[a-z0-9-]+\.results\./.test(JSON.stringify(value ?? null));
}

/** A `when` expression (input/operator/values form). */
export interface WhenExpression {
  input?: string;
  operator?: string;
  values?: string[];
  cel?: string;
}

/** Evaluates resolved `when` expressions: all must hold (`in`: input is one of values; `notin`: it is not). */
export function evaluateWhen(expressions: readonly WhenExpression[]): boolean {
  return expressions.every((expression) => {
    const values = expression.values ?? [];
    const found = values.includes(String(expression.input ?? ''));
    return expression.operator === 'notin' ? !found : found;
  });
}

/** A param declaration (Pipeline or Task `spec.params[]`). */
export interface ParamSpec {
  name: string;
  type?: string;
  default?: ParamValue;
}

/** Declared defaults overlaid with the given values; returns the values and the names still missing. */
export function resolveParams(
  specs: readonly ParamSpec[] | undefined,
  given: ReadonlyArray<{ name: string; value: ParamValue }> | undefined,
): { values: Record<string, ParamValue>; missing: string[] } {
  const values: Record<string, ParamValue> = {};
  for (const spec of specs ?? []) if (spec.default !== undefined) values[spec.name] = spec.default;
  for (const param of given ?? []) values[param.name] = param.value;
  const missing = (specs ?? []).filter((spec) => values[spec.name] === undefined).map((spec) => spec.name);
  return { values, missing };
}

/** A resolver over `params.*` (with `.key` into object params) and a table of other variables. */
export function paramResolver(
  params: Record<string, ParamValue>,
  extra: Record<string, ParamValue> = {},
): VariableResolver {
  return (expression) => {
    if (Object.hasOwn(extra, expression)) return extra[expression];
    if (!expression.startsWith('params.')) return undefined;
    const path = expression.slice('params.'.length);
    if (Object.hasOwn(params, path)) return params[path];
    const dot = path.indexOf('.');
    if (dot < 0) return undefined;
    const object = params[path.slice(0, dot)];
    return typeof object === 'object' && !Array.isArray(object) ? object[path.slice(dot + 1)] : undefined;
  };
}
