import { ValidationError } from '@gitops-kit/core';
import type { Application, HelmParameter } from '../schemas/application-schema.js';

/** Parameters to set: `{ 'image.tag': 'abc' }` or a list with `forceString`. */
export type HelmParametersInput =
  | Record<string, string>
  | ReadonlyArray<{ name: string; value: string; forceString?: boolean }>;

/** Which source of a multi-source application to change. */
export interface HelmSourceSelector {
  /** 1-based position in `spec.sources` (the CLI's `--source-position`). */
  sourcePosition?: number | undefined;
  /** `spec.sources[].name` (the CLI's `--source-name`). */
  sourceName?: string | undefined;
}

/**
 * Merges parameters like `argocd app set -p name=value` (`AddParameter`): a parameter with the same name is
 * replaced in place, new ones are appended; order is otherwise kept.
 */
export function mergeHelmParameters(
  current: readonly HelmParameter[] | null | undefined,
  updates: HelmParametersInput,
): HelmParameter[] {
  const list: ReadonlyArray<{ name: string; value: string; forceString?: boolean }> = Array.isArray(updates)
    ? updates
    : Object.entries(updates as Record<string, string>).map(([name, value]) => ({ name, value }));
  const merged = (current ?? []).map((parameter) => ({ ...parameter }));
  for (const update of list) {
    if (!update.name) throw new ValidationError('A Helm parameter needs a name.', { field: 'parameters' });
    const next: HelmParameter = { name: update.name, value: update.value };
    if (update.forceString) next.forceString = true;
    const index = merged.findIndex((parameter) => parameter.name === update.name);
    if (index === -1) merged.push(next);
    else merged[index] = next;
  }
  return merged;
}

/**
 * Builds the JSON patch (RFC 6902) that sets the merged parameters on the right source, after checking that the
 * source is Helm (explicit `helm` block, `status.sourceType`, or a `chart`) like the CLI does.
 *
 * @throws {ValidationError} when the source is not Helm, or the selector does not match a source.
 */
export function helmParametersPatch(
  app: Application,
  updates: HelmParametersInput,
  selector: HelmSourceSelector = {},
): Array<{ op: 'add'; path: string; value: unknown }> {
  const spec = app.spec ?? {};
  const name = app.metadata.name ?? 'application';
  let basePath = '/spec/source';
  let source = spec.source ?? undefined;
  let sourceType = app.status?.sourceType;
  if (spec.sources && spec.sources.length > 0) {
    let index: number;
    if (selector.sourcePosition !== undefined) index = selector.sourcePosition - 1;
    else if (selector.sourceName !== undefined)
      index = spec.sources.findIndex((s) => s.name === selector.sourceName);
    else if (spec.sources.length === 1) index = 0;
    else {
      throw new ValidationError(
        `Application "${name}" has ${spec.sources.length} sources: pass sourcePosition (1-based) or sourceName.`,
        { field: 'sourcePosition' },
      );
    }
    source = spec.sources[index];
    if (!source)
      throw new ValidationError(`Application "${name}" has no such source.`, { field: 'sourcePosition' });
    basePath = `/spec/sources/${index}`;
    sourceType = app.status?.sourceTypes?.[index] ?? undefined;
  }
  if (!source) throw new ValidationError(`Application "${name}" has no source.`, { field: 'spec.source' });
  const isHelm = Boolean(source.helm) || sourceType === 'Helm' || Boolean(source.chart);
  if (!isHelm) {
    throw new ValidationError(
      `Application "${name}" does not use a Helm source; Helm parameters cannot be set on it.`,
      { field: 'spec.source.helm' },
    );
  }
  const parameters = mergeHelmParameters(source.helm?.parameters, updates);
  if (!source.helm) return [{ op: 'add', path: `${basePath}/helm`, value: { parameters } }];
  return [{ op: 'add', path: `${basePath}/helm/parameters`, value: parameters }];
}
