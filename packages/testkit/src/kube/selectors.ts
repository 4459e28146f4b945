import { statusError } from './kube-status.js';

type LabelRequirement =
  | { key: string; operator: 'exists' | 'notexists' }
  | { key: string; operator: 'in' | 'notin'; values: string[] };

/** A parsed label or field selector: call it with an object's labels (or fields) to test a match. */
export type Selector = (values: Readonly<Record<string, string>>) => boolean;

/** Splits on commas that are not inside parentheses (`a in (x,y),b=c`). */
function splitRequirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const character of text) {
    if (character === '(') depth += 1;
    if (character === ')') depth -= 1;
    if (character === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += character;
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function badSelector(selector: string, why: string): Error {
  return statusError(400, 'BadRequest', `unable to parse requirement: ${why} in selector "${selector}"`);
}

function parseRequirement(text: string, selector: string): LabelRequirement {
  const setMatch = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(text);
  if (setMatch) {
    const values = (setMatch[3] ?? '').split(',').map((value) => value.trim());
    return { key: setMatch[1] ?? '', operator: setMatch[2] as 'in' | 'notin', values };
  }
  const equality = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(text);
  if (equality) {
    const key = equality[1] ?? '';
    const value = equality[3] ?? '';
    return { key, operator: equality[2] === '!=' ? 'notin' : 'in', values: [value] };
  }
  if (text.startsWith('!')) return { key: text.slice(1).trim(), operator: 'notexists' };
  if (/^\S+$/.test(text)) return { key: text, operator: 'exists' };
  throw badSelector(selector, `cannot parse "${text}"`);
}

function matches(requirement: LabelRequirement, values: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(values, requirement.key);
  switch (requirement.operator) {
    case 'exists':
      return has;
    case 'notexists':
      return !has;
    case 'in':
      return has && requirement.values.includes(values[requirement.key] ?? '');
    case 'notin':
      return !has || !requirement.values.includes(values[requirement.key] ?? '');
  }
}

/**
 * Parses a label selector with the operators the API server accepts: `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
 * `k notin (a,b)`, `k` (exists) and `!k` (does not exist). An empty selector matches everything.
 *
 * @throws KubeEmulatorStatusError (400 BadRequest) for text that is not a selector.
 * @example
 * ```ts
 * parseLabelSelector('tekton.dev/pipelineRun=build,env in (prod,staging)')({ 'tekton.dev/pipelineRun': 'build', env: 'prod' }); // true
 * ```
 */
export function parseLabelSelector(selector: string | undefined): Selector {
  if (selector === undefined || selector.trim() === '') return () => true;
  const requirements = splitRequirements(selector).map((part) => parseRequirement(part, selector));
  for (const requirement of requirements) {
    if (!LABEL_KEY.test(requirement.key))
      throw badSelector(selector, `invalid label key "${requirement.key}"`);
  }
  return (values) => requirements.every((requirement) => matches(requirement, values));
}

/**
 * Parses a field selector: `=`, `==` and `!=` on the fields in `supportedFields` (the API server rejects others).
 *
 * @throws KubeEmulatorStatusError (400 BadRequest) for an unsupported field or bad syntax.
 * @example
 * ```ts
 * parseFieldSelector('metadata.name=build-1', ['metadata.name', 'metadata.namespace']);
 * ```
 */
export function parseFieldSelector(
  selector: string | undefined,
  supportedFields: readonly string[],
): Selector {
  if (selector === undefined || selector.trim() === '') return () => true;
  const requirements = splitRequirements(selector).map((part) => {
    const match = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (!match) throw statusError(400, 'BadRequest', `invalid field selector: "${part}"`);
    const field = match[1] ?? '';
    if (!supportedFields.includes(field)) {
      throw statusError(400, 'BadRequest', `field label not supported: ${field}`);
    }
    return { field, negate: match[2] === '!=', value: match[3] ?? '' };
  });
  return (values) =>
    requirements.every(
      (requirement) => (values[requirement.field] === requirement.value) !== requirement.negate,
    );
}
