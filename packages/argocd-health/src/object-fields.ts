import type { KubernetesObject } from './types.js';

/** Reads a nested field; undefined when any step is missing or not an object. @internal */
export function field(object: unknown, ...path: string[]): unknown {
  let current: unknown = object;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** @internal */
export function stringField(object: unknown, ...path: string[]): string {
  const value = field(object, ...path);
  return typeof value === 'string' ? value : '';
}

/** @internal */
export function numberField(object: unknown, ...path: string[]): number {
  const value = field(object, ...path);
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** @internal */
export function optionalNumberField(object: unknown, ...path: string[]): number | undefined {
  const value = field(object, ...path);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** @internal */
export function arrayField(object: unknown, ...path: string[]): unknown[] {
  const value = field(object, ...path);
  return Array.isArray(value) ? value : [];
}

/** @internal */
export function recordField(object: unknown, ...path: string[]): Record<string, unknown> {
  const value = field(object, ...path);
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Splits `apiVersion` into group and version (`v1` → core group). @internal */
export function groupVersionKind(object: KubernetesObject): { group: string; version: string; kind: string } {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const kind = typeof object.kind === 'string' ? object.kind : '';
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return { group: '', version: apiVersion, kind };
  return { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind };
}

/** The `argocd-cm` key of an object's type: `group/Kind`, or `Kind` for the core group. @internal */
export function configMapKey(group: string, kind: string): string {
  return group === '' ? kind : `${group}/${kind}`;
}

/** The annotations of an object (empty when absent). @internal */
export function annotations(object: KubernetesObject): Record<string, unknown> {
  return recordField(object, 'metadata', 'annotations');
}

/** Go's `%q` for the ASCII-printable names Kubernetes allows (other runes escaped as Go does). @internal */
export function goQuote(text: string): string {
  let out = '"';
  for (const character of text) {
    const code = character.codePointAt(0) as number;
    if (character === '"' || character === '\\') out += `\\${character}`;
    else if (character === '\n') out += '\\n';
    else if (character === '\t') out += '\\t';
    else if (character === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += character;
  }
  return `${out}"`;
}
