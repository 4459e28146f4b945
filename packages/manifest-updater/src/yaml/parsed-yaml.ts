import {
  Composer,
  type CST,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type ParsedNode,
  Parser,
} from 'yaml';

type Token = CST.Token;

import { DuplicateKeyError, MultipleDocumentsError, YamlParseError } from './yaml-errors.js';
import { lineAndColumn } from './yaml-source.js';

/** A source parsed for editing: the CST tokens (lossless) and the composed documents pointing at them. */
export interface ParsedYaml {
  readonly text: string;
  readonly tokens: Token[];
  readonly documents: Document.Parsed[];
}

/** Limits for {@link parseYamlForEdit}. */
export interface ParseLimits {
  readonly maxAliasCount: number;
}

/**
 * Parses `text` with yaml's CST parser and composer (`keepSourceTokens`), reports the first error as a
 * {@link YamlParseError}, checks duplicate keys in linear time (yaml's own check is quadratic in the number of keys)
 * and bounds the number of aliases.
 *
 * @throws {YamlParseError} on any parse error, too many aliases, or `DuplicateKeyError` on a repeated key.
 */
export function parseYamlForEdit(text: string, limits: ParseLimits): ParsedYaml {
  let tokens: Token[];
  let documents: Document.Parsed[];
  try {
    tokens = [...new Parser().parse(text)];
    documents = [
      ...new Composer({ keepSourceTokens: true, uniqueKeys: false }).compose(tokens, true, text.length),
    ];
  } catch (error) {
    if (error instanceof RangeError) {
      throw new YamlParseError('The YAML source is too deeply nested to parse', {
        yamlCode: 'RESOURCE_EXHAUSTION',
        line: 1,
        col: 1,
        cause: error,
      });
    }
    throw error;
  }
  for (const document of documents) {
    const first = document.errors[0];
    if (first) {
      const { line, col } = lineAndColumn(text, first.pos[0]);
      const summary = first.message.split('\n')[0] ?? first.code;
      throw new YamlParseError(`Invalid YAML at line ${line}, column ${col}: ${summary}`, {
        yamlCode: first.code,
        line,
        col,
      });
    }
  }
  let aliasCount = 0;
  for (const document of documents) {
    aliasCount += checkNode(document.contents as ParsedNode | null, text);
    if (aliasCount > limits.maxAliasCount) {
      throw new YamlParseError(
        `The YAML source has more than ${limits.maxAliasCount} aliases (option maxAliasCount)`,
        { yamlCode: 'RESOURCE_EXHAUSTION', line: 1, col: 1 },
      );
    }
  }
  return { text, tokens, documents };
}

/** Walks a document iteratively: throws on duplicate scalar keys, returns the number of aliases. */
function checkNode(root: Node | null, text: string): number {
  let aliases = 0;
  const stack: unknown[] = root ? [root] : [];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) {
      aliases += 1;
    } else if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key;
        if (isScalar(key)) {
          const name = keyText(key);
          const id = `${typeof key.value}:${name}`;
          if (seen.has(id)) {
            const { line, col } = lineAndColumn(text, key.range?.[0] ?? 0);
            throw new DuplicateKeyError(`Duplicate key "${name}" at line ${line}, column ${col}`, {
              key: name,
              line,
              col,
            });
          }
          seen.add(id);
        } else if (key) stack.push(key);
        if (pair.value) stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return aliases;
}

/** The text a path segment matches for a scalar key: its source for plain keys, its value for quoted ones. */
export function keyText(key: { value: unknown; source?: string; type?: string | undefined }): string {
  if (key.type === 'PLAIN' && typeof key.source === 'string') return key.source;
  return String(key.value);
}

/**
 * Picks the document an edit applies to. An empty source counts as one empty document.
 *
 * @throws {MultipleDocumentsError} when there are several documents and no index, or the index is out of range.
 */
export function selectDocument(parsed: ParsedYaml, index: number | undefined): Document.Parsed | undefined {
  const count = parsed.documents.length;
  if (index === undefined) {
    if (count > 1) {
      throw new MultipleDocumentsError(
        `The YAML source holds ${count} documents; pass the option document (0-based index) to pick one`,
        { documentCount: count },
      );
    }
    return parsed.documents[0];
  }
  if (!Number.isInteger(index) || index < 0 || index >= Math.max(count, 1)) {
    throw new MultipleDocumentsError(`Document index ${index} is out of range: the source holds ${count}`, {
      documentCount: count,
    });
  }
  return parsed.documents[index];
}
