import { field } from '../object-fields.js';

/**
 * Reads fields the way Argo CD's typed conversion (`runtime.DefaultUnstructuredConverter`) does: a missing field
 * is the zero value, a field of the wrong type fails the whole check (Argo CD then reports `Unknown`).
 * @internal
 */
export class TypedFields {
  readonly #object: unknown;
  readonly #typeName: string;

  constructor(object: unknown, typeName: string) {
    this.#object = object;
    this.#typeName = typeName;
  }

  #fail(path: string[], expected: string, value: unknown): never {
    throw new Error(
      `failed to convert unstructured ${this.#typeName} to typed: .${path.join('.')}: expected ${expected}, got ${Array.isArray(value) ? 'array' : typeof value}`,
    );
  }

  number(...path: string[]): number {
    return this.optionalNumber(...path) ?? 0;
  }

  optionalNumber(...path: string[]): number | undefined {
    const value = field(this.#object, ...path);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) this.#fail(path, 'an integer', value);
    return value;
  }

  string(...path: string[]): string {
    const value = field(this.#object, ...path);
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string') this.#fail(path, 'a string', value);
    return value;
  }

  boolean(...path: string[]): boolean {
    const value = field(this.#object, ...path);
    if (value === undefined || value === null) return false;
    if (typeof value !== 'boolean') this.#fail(path, 'a boolean', value);
    return value;
  }

  present(...path: string[]): boolean {
    const value = field(this.#object, ...path);
    if (value === undefined || value === null) return false;
    if (typeof value !== 'object' || Array.isArray(value)) this.#fail(path, 'an object', value);
    return true;
  }

  list(...path: string[]): unknown[] {
    const value = field(this.#object, ...path);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.#fail(path, 'an array', value);
    return value;
  }

  /** The list items as records; non-object items fail the conversion. */
  records(...path: string[]): Record<string, unknown>[] {
    return this.list(...path).map((item) => {
      if (item === null) return {};
      if (typeof item !== 'object' || Array.isArray(item)) this.#fail(path, 'a list of objects', item);
      return item as Record<string, unknown>;
    });
  }
}
