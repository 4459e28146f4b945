import { randomUUID } from 'node:crypto';
import { TektonUsageError } from '../errors/tekton-errors.js';
import type { TriggerTemplate } from '../schemas/triggers.js';

/** Options of {@link renderTriggerTemplate}. */
export interface RenderTriggerTemplateOptions {
  /** The value of `$(uid)`; default a fresh UUID (one per render, like one per trigger in Triggers). */
  uid?: string;
  /** Escape `$(` in values as `$$(` so Tekton does not read them as variables (Triggers does); default true. */
  escapeTektonVariables?: boolean;
}

/**
 * Renders a TriggerTemplate's `resourcetemplates` with Tekton Triggers' rules: params missing from `params` take
 * the template default (a param with neither is an error), the literal text `$(tt.params.<name>)` is replaced by
 * substitution in each template's JSON text, `$(` inside values becomes `$$(`, and `$(uid)` is one UUID per render.
 * One deliberate difference: values are JSON-escaped where they land, so a quote or newline in a commit message
 * cannot break (or inject into) the object; Triggers inserts them raw.
 *
 * @throws {TektonUsageError} when a declared param has no value and no default, or a template stops being JSON.
 * @example
 * ```ts
 * const [run] = renderTriggerTemplate(template, { gitrevision: sha, gitrepositoryurl: url });
 * ```
 */
export function renderTriggerTemplate(
  template: TriggerTemplate,
  params: Record<string, string>,
  options: RenderTriggerTemplateOptions = {},
): Array<Record<string, unknown>> {
  const escapeVariables = options.escapeTektonVariables ?? true;
  const values = new Map<string, string>();
  for (const declared of template.spec.params ?? []) {
    const given = params[declared.name];
    const value = given ?? declared.default;
    if (value === undefined) {
      throw new TektonUsageError(`TriggerTemplate param "${declared.name}" has no value and no default`);
    }
    values.set(declared.name, escapeVariables ? value.replaceAll('$(', () => '$$(') : value);
  }
  const uid = options.uid ?? randomUUID();
  return (template.spec.resourcetemplates ?? []).map((resource, index) => {
    let text = JSON.stringify(resource);
    for (const [name, value] of values) {
      const escaped = JSON.stringify(value).slice(1, -1);
      // A replacer function, so `$$` or `$&` in a value are not read as replacement patterns.
      text = text.replaceAll(`$(tt.params.${name})`, () => escaped);
    }
    text = text.replaceAll('$(uid)', () => uid);
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new TektonUsageError(`resourcetemplates[${index}] is not valid JSON after substitution`, {
        cause: error,
      });
    }
  });
}
