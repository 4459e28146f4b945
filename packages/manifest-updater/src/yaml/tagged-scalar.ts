import { formatNumber, renderFlowScalar, type ScalarStyle, type YamlScalarValue } from './scalar-style.js';
import { YamlEditVerificationError } from './yaml-errors.js';

/**
 * Explicit tags on an edited scalar (`tag: !!int "2"`, `bucket: !Ref MyBucket`). The rule: a tag is the file
 * author's statement of what the consumer expects, so `updateYaml` never drops or changes it. The new value must be
 * one the tag holds, and it is written so that every reader resolves it under that tag; anything else is refused
 * with `YamlEditVerificationError` and the source stays as it was:
 *
 * - `!!str`: strings only (a number would become the string `"3"`).
 * - `!!int`: integral numbers; `!!float`: numbers (whole ones written `3.0`, which every 1.1 and 1.2 reader takes
 *   as a float; the `yaml` package rejects `!!float 3`); `!!bool`: booleans; `!!null`: null.
 * - any other tag (local `!Ref`, `!!binary`, `!!timestamp`, a `%TAG` handle): strings only, and only when the
 *   edited scalar read back under the tag is that same string (a custom tag's consumer gets the string it had
 *   before, with the same tag; `!!binary`/`!!timestamp` do not read back as strings and are refused).
 *
 * Quoted scalars keep their quotes (`!!int "2"` → `!!int "3"`), so only the scalar's own characters change.
 */

const CORE_TAG_PREFIX = 'tag:yaml.org,2002:';

type CoreScalarTag = 'str' | 'int' | 'float' | 'bool' | 'null';
const CORE_SCALAR_TAGS = new Set<string>(['str', 'int', 'float', 'bool', 'null']);

function coreScalarTag(tag: string): CoreScalarTag | undefined {
  if (!tag.startsWith(CORE_TAG_PREFIX)) return undefined;
  const name = tag.slice(CORE_TAG_PREFIX.length);
  return CORE_SCALAR_TAGS.has(name) ? (name as CoreScalarTag) : undefined;
}

/** Whether a value read back from a node tagged `tag` has the type the tag stands for. */
export function tagHolds(tag: string | undefined, read: unknown): boolean {
  if (tag === undefined) return true;
  switch (coreScalarTag(tag)) {
    case 'int':
      return (typeof read === 'number' && Number.isInteger(read)) || typeof read === 'bigint';
    case 'float':
      return typeof read === 'number';
    case 'bool':
      return typeof read === 'boolean';
    case 'null':
      return read === null;
    default:
      return typeof read === 'string';
  }
}

/** The tag written verbatim, so a scalar can be re-read on its own (no `%TAG` directive needed). */
export function verbatimTag(tag: string): string {
  return tag.startsWith('!') ? tag : `!<${tag}>`;
}

function describeTag(tag: string): string {
  const core = coreScalarTag(tag);
  if (core !== undefined) return `!!${core}`;
  return tag.startsWith(CORE_TAG_PREFIX) ? `!!${tag.slice(CORE_TAG_PREFIX.length)}` : tag;
}

function accepts(tag: string, value: YamlScalarValue): boolean {
  switch (coreScalarTag(tag)) {
    case 'int':
      return typeof value === 'number' && Number.isInteger(value);
    case 'float':
      return typeof value === 'number';
    case 'bool':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return typeof value === 'string';
  }
}

/**
 * The text of a scalar tagged `tag` that holds `value`, in the quote style it had.
 * @throws {YamlEditVerificationError} when the tag cannot hold the value.
 */
export function renderUnderTag(
  tag: string,
  value: YamlScalarValue,
  style: ScalarStyle,
  inFlow: boolean,
  pathText: string,
): string {
  if (!accepts(tag, value)) {
    const what = value === null ? 'null' : `a ${typeof value}`;
    throw new YamlEditVerificationError(
      `${pathText} has the explicit tag ${describeTag(tag)}, which cannot hold ${what}; remove the tag or pass ` +
        'a value of its type (the source was left unchanged)',
      { path: pathText },
    );
  }
  if (typeof value === 'string') return renderFlowScalar(value, style, inFlow);
  let text = renderFlowScalar(value, 'PLAIN', inFlow);
  if (typeof value === 'number' && coreScalarTag(tag) === 'int') {
    // Decimal digits, never an exponent: `!!int 3e+21` is no integer to any reader.
    text = BigInt(value).toString();
  } else if (typeof value === 'number' && coreScalarTag(tag) === 'float' && /^[-+]?[0-9]+$/.test(text)) {
    text = `${formatNumber(value)}.0`;
  }
  if (style === 'QUOTE_DOUBLE') return `"${text}"`;
  if (style === 'QUOTE_SINGLE') return `'${text}'`;
  return text;
}
