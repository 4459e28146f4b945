import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { keyText } from './parsed-yaml.js';
import { PathThroughAliasError, PathTypeError } from './yaml-errors.js';
import { formatYamlPath, type YamlPathSegment } from './yaml-path.js';

/** What to do when a path goes through an alias (`*image`). */
export type AliasPolicy = 'error' | 'edit-anchor';

/** A node found at the end of a path. */
export interface FoundNode {
  readonly kind: 'found';
  readonly node: Node;
  /** The collection that holds the node (null for the document root). */
  readonly parent: YAMLMap | YAMLSeq | null;
  /** Whether the node sits inside a flow collection (`{…}` / `[…]`). */
  readonly inFlow: boolean;
  /** Whether the node is the value of a map pair (block scalars need the key's indentation context). */
  readonly afterKey: boolean;
}

/** Where a path stops existing. */
export interface MissingNode {
  readonly kind: 'missing';
  /** Index of the first segment that does not exist. */
  readonly missingAt: number;
  /**
   * The node the missing segment would go into: a map, a sequence, an empty (null) scalar value of a pair, or
   * null when the document itself is empty.
   */
  readonly container: YAMLMap | YAMLSeq | Scalar | null;
  /** The pair whose empty value is `container`, when it is a null scalar. */
  readonly pair: Pair | undefined;
  readonly inFlow: boolean;
}

/**
 * Walks `segments` from the document root. Map keys match by their text (see `keyText`), numbers index sequences
 * (or match a key of that text in a map), selectors pick the first map item whose key holds the value.
 *
 * @throws {PathThroughAliasError} when an alias is on the path and the policy is `error`.
 * @throws {PathTypeError} when a scalar or the wrong kind of collection is met before the end of the path.
 */
export function resolvePath(
  document: Document.Parsed | undefined,
  segments: readonly YamlPathSegment[],
  aliases: AliasPolicy,
  pathText: string,
): FoundNode | MissingNode {
  let current: unknown = document?.contents ?? null;
  let parent: YAMLMap | YAMLSeq | null = null;
  let pair: Pair | undefined;
  let inFlow = false;
  let afterKey = false;
  for (let index = 0; index <= segments.length; index += 1) {
    if (isAlias(current)) {
      if (aliases === 'error') {
        throw new PathThroughAliasError(
          `The path ${pathText} goes through the alias *${current.source}; editing it would change every user of ` +
            `the anchor. Set aliases: 'edit-anchor' to edit the anchored node`,
          { path: pathText, anchor: current.source },
        );
      }
      current = document ? current.resolve(document) : undefined;
      if (current === undefined) {
        throw new PathTypeError(`The alias on path ${pathText} points to no anchor`, {
          path: pathText,
          found: 'alias',
        });
      }
    }
    if (index === segments.length) break;
    const segment = segments[index]!;
    if (current === null || (isScalar(current) && current.value === null && isNullPlaceholder(current))) {
      return { kind: 'missing', missingAt: index, container: current as Scalar | null, pair, inFlow };
    }
    if (isMap(current)) {
      if (typeof segment === 'object') {
        throw typeError(pathText, segments, index, 'map');
      }
      const wanted = String(segment);
      const found = current.items.find((item) => isScalar(item.key) && keyText(item.key) === wanted);
      inFlow = inFlow || current.flow === true;
      if (!found) return { kind: 'missing', missingAt: index, container: current, pair: undefined, inFlow };
      parent = current;
      pair = found;
      afterKey = true;
      current = found.value;
      continue;
    }
    if (isSeq(current)) {
      inFlow = inFlow || current.flow === true;
      let item: unknown;
      if (typeof segment === 'number') {
        item = current.items[segment];
        if (item === undefined)
          return { kind: 'missing', missingAt: index, container: current, pair: undefined, inFlow };
      } else if (typeof segment === 'object') {
        item = current.items.find((candidate) => {
          if (!isMap(candidate)) return false;
          const match = candidate.items.find(
            (entry) => isScalar(entry.key) && keyText(entry.key) === segment.key,
          );
          return match !== undefined && isScalar(match.value) && String(match.value.value) === segment.value;
        });
        if (item === undefined)
          return { kind: 'missing', missingAt: index, container: current, pair: undefined, inFlow };
      } else {
        throw typeError(pathText, segments, index, 'sequence');
      }
      parent = current;
      pair = undefined;
      afterKey = false;
      current = item;
      continue;
    }
    throw typeError(
      pathText,
      segments,
      index,
      isScalar(current) ? 'scalar' : isPair(current) ? 'pair' : 'node',
    );
  }
  return { kind: 'found', node: current as Node, parent, inFlow, afterKey };
}

/** A null value a path can grow from: nothing at all (`key:`), or a plain `~` / `null` without a tag. */
function isNullPlaceholder(node: Scalar): boolean {
  if (isEmptyScalar(node)) return true;
  return node.type === 'PLAIN' && node.tag === undefined;
}

/** A null scalar written as nothing at all (`key:`), as opposed to `~` or `null`. */
export function isEmptyScalar(node: Scalar): boolean {
  const source = (node as Scalar & { source?: string }).source;
  return node.srcToken === undefined || source === '';
}

/**
 * Names the node that is of the wrong kind (`replicaCount` in `replicaCount.x` when it holds a scalar), not the
 * segment that could not be looked up in it: that node is what the user has to look at.
 */
function typeError(
  pathText: string,
  segments: readonly YamlPathSegment[],
  index: number,
  found: string,
): PathTypeError {
  const segment = segments[index] as YamlPathSegment;
  const wanted =
    typeof segment === 'string' ? 'a map' : typeof segment === 'number' ? 'a sequence' : 'a sequence of maps';
  const place = index === 0 ? 'the document root' : formatYamlPath(segments.slice(0, index));
  return new PathTypeError(
    `The path ${pathText} cannot reach "${describe(segment)}": ${place} is a ${found}, not ${wanted}`,
    { path: pathText, found },
  );
}

function describe(segment: YamlPathSegment): string {
  return typeof segment === 'object' ? `[${segment.key}=${segment.value}]` : String(segment);
}
