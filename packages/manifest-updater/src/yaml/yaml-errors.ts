import { GitOpsKitError, type GitOpsKitErrorOptions } from '@gitops-kit/core';

/**
 * The YAML source could not be parsed, or it exceeds a structural bound (nesting depth, alias count).
 * `yamlCode` is the parser's code (`BAD_INDENT`, `TAB_AS_INDENT`, `UNEXPECTED_TOKEN`, `RESOURCE_EXHAUSTION`,
 * `DUPLICATE_KEY`, `INVALID_UTF8`…); `line` and `col` are 1-based. Nothing was edited.
 */
export class YamlParseError extends GitOpsKitError {
  static override readonly kind: string = 'YamlParseError';
  /** The YAML library's error code (or ours for `INVALID_UTF8`). */
  readonly yamlCode: string;
  /** 1-based line of the problem. */
  readonly line: number;
  /** 1-based column of the problem. */
  readonly col: number;
  constructor(
    message: string,
    options: GitOpsKitErrorOptions & { yamlCode?: string; line?: number; col?: number } = {},
  ) {
    const { yamlCode, line, col, ...rest } = options;
    super(message, { code: 'YAML_PARSE_ERROR', retryable: false, ...rest });
    this.yamlCode = yamlCode ?? 'UNKNOWN';
    this.line = line ?? 1;
    this.col = col ?? 1;
  }
}

/** A mapping repeats a key (for example `image:` twice). YAML forbids it and tools disagree on which wins. */
export class DuplicateKeyError extends YamlParseError {
  static override readonly kind: string = 'DuplicateKeyError';
  /** The repeated key. */
  readonly key: string;
  constructor(
    message: string,
    options: GitOpsKitErrorOptions & { key?: string; line?: number; col?: number } = {},
  ) {
    const { key, ...rest } = options;
    super(message, { code: 'YAML_DUPLICATE_KEY', ...rest, yamlCode: 'DUPLICATE_KEY' });
    this.key = key ?? '';
  }
}

/** The path does not exist and `createMissing` is off (or it cannot be created, such as index 5 of a 2-item list). */
export class PathNotFoundError extends GitOpsKitError {
  static override readonly kind: string = 'PathNotFoundError';
  /** The path as given, normalised to its dotted form. */
  readonly path: string;
  constructor(message: string, options: GitOpsKitErrorOptions & { path?: string } = {}) {
    const { path, ...rest } = options;
    super(message, { code: 'YAML_PATH_NOT_FOUND', retryable: false, ...rest });
    this.path = path ?? '';
  }
}

/** The path meets a node of the wrong kind: a scalar or sequence where a map is needed, a map as the target… */
export class PathTypeError extends GitOpsKitError {
  static override readonly kind: string = 'PathTypeError';
  readonly path: string;
  /** What was found where the path needed something else: `scalar`, `map`, `sequence`, `block-scalar`… */
  readonly found: string;
  constructor(message: string, options: GitOpsKitErrorOptions & { path?: string; found?: string } = {}) {
    const { path, found, ...rest } = options;
    super(message, { code: 'YAML_PATH_TYPE', retryable: false, ...rest });
    this.path = path ?? '';
    this.found = found ?? 'node';
  }
}

/**
 * The path goes through an alias (`*image`). Editing it would change every user of the anchor, so this is refused
 * unless `aliases: 'edit-anchor'` is set.
 */
export class PathThroughAliasError extends GitOpsKitError {
  static override readonly kind: string = 'PathThroughAliasError';
  readonly path: string;
  /** The anchor name the alias points to. */
  readonly anchor: string;
  constructor(message: string, options: GitOpsKitErrorOptions & { path?: string; anchor?: string } = {}) {
    const { path, anchor, ...rest } = options;
    super(message, { code: 'YAML_PATH_THROUGH_ALIAS', retryable: false, ...rest });
    this.path = path ?? '';
    this.anchor = anchor ?? '';
  }
}

/** The source holds several YAML documents and no `document` index was given (or the index is out of range). */
export class MultipleDocumentsError extends GitOpsKitError {
  static override readonly kind: string = 'MultipleDocumentsError';
  /** How many documents the source holds. */
  readonly documentCount: number;
  constructor(message: string, options: GitOpsKitErrorOptions & { documentCount?: number } = {}) {
    const { documentCount, ...rest } = options;
    super(message, { code: 'YAML_MULTIPLE_DOCUMENTS', retryable: false, ...rest });
    this.documentCount = documentCount ?? 0;
  }
}

/** The input is larger than `maxBytes`; it was rejected before parsing. */
export class ValuesFileTooLargeError extends GitOpsKitError {
  static override readonly kind: string = 'ValuesFileTooLargeError';
  readonly sizeBytes: number;
  readonly maxBytes: number;
  constructor(
    message: string,
    options: GitOpsKitErrorOptions & { sizeBytes?: number; maxBytes?: number } = {},
  ) {
    const { sizeBytes, maxBytes, ...rest } = options;
    super(message, { code: 'VALUES_FILE_TOO_LARGE', retryable: false, ...rest });
    this.sizeBytes = sizeBytes ?? 0;
    this.maxBytes = maxBytes ?? 0;
  }
}

/** A path string could not be read (unbalanced `[`, empty segment…), or an update value is not a scalar. */
export class YamlPathSyntaxError extends GitOpsKitError {
  static override readonly kind: string = 'YamlPathSyntaxError';
  readonly path: string;
  constructor(message: string, options: GitOpsKitErrorOptions & { path?: string } = {}) {
    const { path, ...rest } = options;
    super(message, { code: 'YAML_INVALID_PATH', retryable: false, ...rest });
    this.path = path ?? '';
  }
}

/** The update value is not a string, finite-or-not number, boolean or null. */
export class InvalidYamlValueError extends GitOpsKitError {
  static override readonly kind: string = 'InvalidYamlValueError';
  readonly path: string;
  constructor(message: string, options: GitOpsKitErrorOptions & { path?: string } = {}) {
    const { path, ...rest } = options;
    super(message, { code: 'YAML_INVALID_VALUE', retryable: false, ...rest });
    this.path = path ?? '';
  }
}

/**
 * The edited text did not read back as the intended value (for instance an explicit `!!int` tag on the target).
 * The input is returned to nobody: the call fails as a whole.
 */
export class YamlEditVerificationError extends GitOpsKitError {
  static override readonly kind: string = 'YamlEditVerificationError';
  readonly path: string;
  constructor(message: string, options: GitOpsKitErrorOptions & { path?: string } = {}) {
    const { path, ...rest } = options;
    super(message, { code: 'YAML_EDIT_UNVERIFIED', retryable: false, ...rest });
    this.path = path ?? '';
  }
}
