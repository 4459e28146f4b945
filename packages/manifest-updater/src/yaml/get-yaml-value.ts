import { isScalar } from 'yaml';
import { LoneCarriageReturns } from './lone-carriage-returns.js';
import { parseYamlForEdit, selectDocument } from './parsed-yaml.js';
import { resolvePath } from './resolve-path.js';
import { YamlParseError } from './yaml-errors.js';
import { formatYamlPath, parseYamlPath, type YamlPath } from './yaml-path.js';
import {
  assertNestingWithin,
  DEFAULT_MAX_YAML_BYTES,
  DEFAULT_MAX_YAML_DEPTH,
  readYamlSource,
} from './yaml-source.js';

/** Options of {@link getYamlValue}. */
export interface GetYamlValueOptions {
  /** 0-based document index for multi-document sources. */
  readonly document?: number;
  /** Default 2 MiB. */
  readonly maxBytes?: number;
  /** Default 200. */
  readonly maxDepth?: number;
  /** Bound on alias expansion when the value is a collection. Default 100. */
  readonly maxAliasCount?: number;
}

/**
 * Reads the value at `path` (following aliases, which is safe when only reading). Returns `undefined` when the path
 * does not exist; collections come back as plain objects and arrays.
 *
 * @throws {YamlParseError} malformed YAML, too deep, or an alias expansion over `maxAliasCount`.
 * @throws {PathTypeError} a scalar or sequence met where the path needs a map.
 * @throws {MultipleDocumentsError} several documents and no `document` index.
 * @example
 * ```ts
 * getYamlValue('image:\n  tag: "1.20"\n', 'image.tag') // '1.20'
 * ```
 */
export function getYamlValue(
  source: string | Uint8Array,
  path: YamlPath,
  options: GetYamlValueOptions = {},
): unknown {
  // A lone CR is a line break in YAML; the parser only sees LF and CRLF (see lone-carriage-returns.ts).
  const body = new LoneCarriageReturns(
    readYamlSource(source, options.maxBytes ?? DEFAULT_MAX_YAML_BYTES).body,
  ).text;
  const segments = parseYamlPath(path);
  const pathText = formatYamlPath(segments);
  assertNestingWithin(body, options.maxDepth ?? DEFAULT_MAX_YAML_DEPTH);
  const maxAliasCount = options.maxAliasCount ?? 100;
  const parsed = parseYamlForEdit(body, { maxAliasCount: Number.POSITIVE_INFINITY });
  const document = selectDocument(parsed, options.document);
  const resolution = resolvePath(document, segments, 'edit-anchor', pathText);
  if (resolution.kind === 'missing') return undefined;
  const node = resolution.node;
  if (isScalar(node)) return node.value;
  try {
    return (node as unknown as { toJS(doc: unknown, options: unknown): unknown }).toJS(document, {
      maxAliasCount,
    });
  } catch (error) {
    throw new YamlParseError('Reading the value would expand too many aliases (option maxAliasCount)', {
      yamlCode: 'RESOURCE_EXHAUSTION',
      line: 1,
      col: 1,
      cause: error,
    });
  }
}
