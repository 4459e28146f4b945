import { parseDocument } from 'yaml';
import { plainScalarIsNotString } from './implicit-types.js';
import { tagHolds, verbatimTag } from './tagged-scalar.js';

/** A value `updateYaml` can write: YAML scalars only. */
export type YamlScalarValue = string | number | boolean | null;

/** How a scalar is written in the source, in yaml's terms. */
export type ScalarStyle = 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';

// YAML 1.1 (go-yaml v2, Helm) booleans and nulls that YAML 1.2 reads as strings.
const YAML_11_WORDS =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;
// Plain strings that are certainly strings under both 1.1 and 1.2: start with a letter, no indicator inside.
const OBVIOUSLY_PLAIN = /^[A-Za-z_][A-Za-z0-9_./@+-]*$/;
const PLAIN_FORBIDDEN_START = /^[-?:,[\]{}#&*!|>'"%@`\s]/;

/** Whether `value` is a scalar `updateYaml` accepts. */
export function isYamlScalarValue(value: unknown): value is YamlScalarValue {
  return (
    value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
  );
}

/**
 * Whether a string can be written without quotes and still read back as that same string under YAML 1.2 (core
 * schema), YAML 1.1 (PyYAML, Helm/go-yaml) and the other readers `plainScalarIsNotString` covers. `inFlow` also
 * rules out flow indicators.
 */
export function canWritePlain(value: string, inFlow: boolean): boolean {
  if (value === '' || YAML_11_WORDS.test(value) || plainScalarIsNotString(value)) return false;
  if (OBVIOUSLY_PLAIN.test(value) && !(inFlow && /[,[\]{}]/.test(value))) return true;
  // YAML 1.1 readers (PyYAML, libyaml, go-yaml) take `?x` and `:x` as plain only outside flow collections, and
  // `?x` as a flow item is a key there: quote both everywhere, as the 1.1 spec forbids them as plain starts.
  if (PLAIN_FORBIDDEN_START.test(value) && !/^-[^\s]/.test(value)) return false;
  if (/[\s]$/.test(value) || /[\n\r\t]/.test(value) || /: |:$| #/.test(value)) return false;
  if (inFlow && /[,[\]{}]/.test(value)) return false;
  if (/[\u0000-\u001f\u007f-\u009f\ufeff\u2028\u2029]/.test(value)) return false;
  return readsAsString(value, '1.2') && readsAsString(value, '1.1');
}

function readsAsString(value: string, version: '1.1' | '1.2'): boolean {
  const document = parseDocument(`- ${value}\n`, { version, prettyErrors: false });
  if (document.errors.length > 0) return false;
  const result = document.toJS({ maxAliasCount: 0 }) as unknown;
  return Array.isArray(result) && result.length === 1 && result[0] === value;
}

/** A double-quoted YAML scalar on one line (JSON escapes plus YAML's non-printable ranges). */
export function toDoubleQuoted(value: string): string {
  return JSON.stringify(value).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A single-quoted YAML scalar, or undefined when the value cannot be single-quoted on one line. */
export function toSingleQuoted(value: string): string | undefined {
  if (/[\u0000-\u001f\u007f-\u009f\ufeff\u2028\u2029]/.test(value)) return undefined;
  return `'${value.replace(/'/g, "''")}'`;
}

/** The plain text of a number that reads back as the same number under YAML 1.1 and 1.2. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (value === Number.POSITIVE_INFINITY) return '.inf';
  if (value === Number.NEGATIVE_INFINITY) return '-.inf';
  if (Object.is(value, -0)) return '-0.0';
  const text = String(value);
  // YAML 1.1 floats need a dot before the exponent (`1e+21` would be a string there).
  if (/e/.test(text) && !/\./.test(text)) return text.replace('e', '.0e');
  return text;
}

/**
 * The source text for a new or replaced flow scalar. Strings keep `preferred` quoting when it is a quote style;
 * plain strings that would change type are double-quoted; numbers, booleans and null are written plain.
 */
export function renderFlowScalar(value: YamlScalarValue, preferred: ScalarStyle, inFlow: boolean): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return formatNumber(value);
  if (preferred === 'QUOTE_SINGLE') return toSingleQuoted(value) ?? toDoubleQuoted(value);
  if (preferred === 'QUOTE_DOUBLE') return toDoubleQuoted(value);
  return canWritePlain(value, inFlow) ? value : toDoubleQuoted(value);
}

/** Whether a scalar node already holds `value` with the same type (so an update would be a no-op). */
export function sameScalarValue(existing: unknown, value: YamlScalarValue): boolean {
  if (existing === null || existing === undefined) return value === null;
  if (typeof existing === 'bigint')
    return typeof value === 'number' && BigInt(Math.trunc(value)) === existing;
  if (typeof existing === 'number' && typeof value === 'number')
    return Object.is(existing, value) || existing === value;
  return existing === value;
}

/**
 * Whether the scalar source `text` (single line, as written after `key: ` or inside `[...]`) reads back as `value`
 * under YAML 1.2 and YAML 1.1 — with its explicit `tag` when it has one, which must then hold the value's type.
 */
export function scalarSourceReadsAs(
  text: string,
  value: YamlScalarValue,
  inFlow: boolean,
  tag?: string,
): boolean {
  const scalar = tag === undefined ? text : `${verbatimTag(tag)} ${text}`;
  for (const version of ['1.2', '1.1'] as const) {
    const document = parseDocument(inFlow ? `[${scalar}]` : `k: ${scalar}\n`, {
      version,
      prettyErrors: false,
    });
    if (document.errors.length > 0) return false;
    const read = document.toJS({ maxAliasCount: 0 }) as unknown;
    const actual = inFlow
      ? Array.isArray(read) && read.length === 1
        ? read[0]
        : Symbol('mismatch')
      : (read as { k?: unknown } | null)?.k;
    if (!sameScalarValue(actual, value) || !tagHolds(tag, actual)) {
      // YAML 1.1 has no distinct null for an empty value and reads `null` the same; everything else must match.
      return false;
    }
  }
  return true;
}
