import { tryFastEdit } from './fast-edit.js';
import { planFullEdit } from './full-edit.js';
import { LoneCarriageReturns } from './lone-carriage-returns.js';
import type { AliasPolicy } from './resolve-path.js';
import { applySplice, type TextSplice } from './scalar-edit.js';
import { isYamlScalarValue, type YamlScalarValue } from './scalar-style.js';
import { InvalidYamlValueError } from './yaml-errors.js';
import { formatYamlPath, parseYamlPath, type YamlPath } from './yaml-path.js';
import {
  DEFAULT_MAX_YAML_BYTES,
  DEFAULT_MAX_YAML_DEPTH,
  lineAndColumn,
  readYamlSource,
} from './yaml-source.js';

/** One value to set. */
export interface YamlUpdate {
  /** Dotted path (`image.tag`, `a\.b`, `images[name=nginx].newTag`, `containers.0.image`) or its segments. */
  readonly path: YamlPath;
  /** The new scalar. Strings that would read as another type are quoted; numbers and booleans are written plain. */
  readonly value: YamlScalarValue;
}

/** Options of {@link updateYaml}. */
export interface UpdateYamlOptions {
  /** Create missing keys (and `images`-style list entries) like `yq w`. Default `false`: `PathNotFoundError`. */
  readonly createMissing?: boolean;
  /** 0-based document index for multi-document sources. Default: the only document (several → error). */
  readonly document?: number;
  /**
   * `'edit'` (default) checks what the edit touches plus a cheap structural pass (duplicate keys on the path,
   * several documents); `'full'` parses and validates the whole source first.
   */
  readonly validate?: 'edit' | 'full';
  /** A path through an alias: `'error'` (default, `PathThroughAliasError`) or `'edit-anchor'` (edit the anchored node). */
  readonly aliases?: AliasPolicy;
  /** Reject larger inputs before parsing. Default 2 MiB. */
  readonly maxBytes?: number;
  /** Reject deeper nesting before parsing. Default 200. */
  readonly maxDepth?: number;
  /** Reject sources with more aliases. Default 100. */
  readonly maxAliasCount?: number;
}

/** One change `updateYaml` made. */
export interface YamlEdit {
  /** The path in its normalised dotted form. */
  readonly path: string;
  /** The value before (undefined when the key was created). */
  readonly oldValue: YamlScalarValue | undefined;
  readonly newValue: YamlScalarValue;
  /** Whether keys were created (`createMissing`). */
  readonly created: boolean;
  /** 1-based line of the change in the result. */
  readonly line: number;
}

/** Something worth knowing that did not stop the edit. */
export interface YamlWarning {
  /** `TAG_RESOLVE_FAILED`: an existing plain value already equal to the request reads as another type under YAML 1.1. */
  readonly code: 'TAG_RESOLVE_FAILED';
  readonly path: string;
  readonly message: string;
}

/** The result of {@link updateYaml}. */
export interface UpdateYamlResult {
  /** The edited source; the very input string when nothing changed. */
  readonly text: string;
  readonly changed: boolean;
  readonly edits: YamlEdit[];
  readonly warnings: YamlWarning[];
}

/**
 * Sets scalar values in a YAML source and changes nothing else: every byte outside the edited scalars stays as it
 * was (comments, blank lines, indentation, quote style, anchors, line endings — CRLF, LF, lone CR or a mix — BOM,
 * missing final newline).
 * Updates apply in order; the call fails as a whole, so nothing is returned half-edited.
 *
 * A fast scanner finds ordinary targets by indentation and yaml's CST edits only that line; anything unusual (and
 * `validate: 'full'`, `document`, missing keys) goes through yaml's full CST parse.
 *
 * @throws {YamlParseError} malformed YAML (with `yamlCode`, `line`, `col`); `DuplicateKeyError` for repeated keys.
 * @throws {PathNotFoundError} a missing path without `createMissing`.
 * @throws {PathTypeError} a scalar or sequence where a map is needed, or a collection as the target.
 * @throws {PathThroughAliasError} a path through `*alias` unless `aliases: 'edit-anchor'`.
 * @throws {MultipleDocumentsError} several documents and no `document` index.
 * @throws {ValuesFileTooLargeError} input over `maxBytes`.
 * @example
 * ```ts
 * const { text, changed } = updateYaml(values, [{ path: 'image.tag', value: 'v1.2.3' }]);
 * ```
 */
export function updateYaml(
  source: string | Uint8Array,
  updates: YamlUpdate | readonly YamlUpdate[],
  options: UpdateYamlOptions = {},
): UpdateYamlResult {
  const { bom, body } = readYamlSource(source, options.maxBytes ?? DEFAULT_MAX_YAML_BYTES);
  const list: readonly YamlUpdate[] = Array.isArray(updates) ? updates : [updates as YamlUpdate];
  const settings = {
    createMissing: options.createMissing ?? false,
    document: options.document,
    aliases: options.aliases ?? 'error',
    maxDepth: options.maxDepth ?? DEFAULT_MAX_YAML_DEPTH,
    maxAliasCount: options.maxAliasCount ?? 100,
  } as const;
  const useFastPath = options.validate !== 'full' && options.document === undefined;
  const carriageReturns = new LoneCarriageReturns(body);
  let text = carriageReturns.text;
  const edits: YamlEdit[] = [];
  const warnings: YamlWarning[] = [];
  for (const update of list) {
    const segments = parseYamlPath(update.path);
    const pathText = formatYamlPath(segments);
    if (!isYamlScalarValue(update.value)) {
      throw new InvalidYamlValueError(
        `The value for ${pathText} must be a string, number, boolean or null (got ${typeof update.value})`,
        { path: pathText },
      );
    }
    const fast = useFastPath ? tryFastEdit(text, segments, update.value) : undefined;
    let splice: TextSplice | undefined;
    let oldValue: YamlScalarValue | undefined;
    let created = false;
    let yaml11Mismatch: boolean;
    if (fast) {
      splice = fast.splice;
      oldValue = fast.oldValue;
      yaml11Mismatch = fast.yaml11Mismatch;
    } else {
      const full = planFullEdit(text, segments, update.value, pathText, settings);
      splice = full.splice;
      oldValue = full.oldValue;
      created = full.created;
      yaml11Mismatch = full.yaml11Mismatch;
    }
    if (yaml11Mismatch) {
      warnings.push({
        code: 'TAG_RESOLVE_FAILED',
        path: pathText,
        message: `${pathText} already holds ${JSON.stringify(update.value)}, but written plain it reads as another type under YAML 1.1 (Helm); quote it to be safe`,
      });
    }
    if (!splice) continue;
    splice = carriageReturns.adapt(splice);
    // The line number comes from the text before the splice (unchanged up to splice.start), so a single edit never
    // forces the engine to flatten the new string here.
    const startsOnNextLine = created && /^\r?\n/.test(splice.replacement);
    const line = lineAndColumn(text, splice.start).line + (startsOnNextLine ? 1 : 0);
    text = applySplice(text, splice);
    edits.push({ path: pathText, oldValue, newValue: update.value, created, line });
  }
  if (edits.length === 0)
    return { text: typeof source === 'string' ? source : bom + body, changed: false, edits, warnings };
  return { text: bom + carriageReturns.restore(text), changed: true, edits, warnings };
}
