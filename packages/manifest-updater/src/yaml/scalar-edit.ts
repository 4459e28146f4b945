import { CST, type Scalar } from 'yaml';
import { plainScalarIsNotString } from './implicit-types.js';
import {
  renderFlowScalar,
  type ScalarStyle,
  sameScalarValue,
  scalarSourceReadsAs,
  type YamlScalarValue,
} from './scalar-style.js';
import { renderUnderTag } from './tagged-scalar.js';

/** A replacement of `text.slice(start, end)`. */
export interface TextSplice {
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
}

/** Context of the scalar being edited. */
export interface ScalarContext {
  readonly inFlow: boolean;
  readonly afterKey: boolean;
  /** The path in its dotted form, for errors. */
  readonly pathText?: string;
}

/** The outcome of planning one scalar edit. */
export interface ScalarEditPlan {
  /** The splice to apply, or undefined when the node already holds the value. */
  readonly splice: TextSplice | undefined;
  readonly oldValue: YamlScalarValue;
  /** Whether the edit replaced a whole block scalar (the caller must verify by re-parsing). */
  readonly needsDocumentCheck: boolean;
  /** Set when the existing plain value reads differently under YAML 1.1 (`on`, `no`, `0755`…). */
  readonly yaml11Mismatch: boolean;
}

const FLOW_SCALAR_TYPES = new Set(['scalar', 'single-quoted-scalar', 'double-quoted-scalar']);

/**
 * Plans the smallest text change that makes `node` hold `value`: only the scalar's own characters change, so a
 * comment after it, its anchor or tag, and everything else on the line stay as they were. Quoted scalars keep their
 * quote style; plain ones are quoted when the new string would otherwise read as another type under YAML 1.1 or 1.2.
 */
export function planScalarEdit(
  text: string,
  node: Scalar,
  value: YamlScalarValue,
  context: ScalarContext,
): ScalarEditPlan {
  const oldValue = toScalarValue(node.value);
  const token = node.srcToken;
  if (sameScalarValue(node.value, value)) {
    const plainSource = token && token.type === 'scalar' ? token.source : undefined;
    const yaml11Mismatch =
      plainSource !== undefined &&
      node.tag === undefined &&
      (!scalarSourceReadsAs(plainSource, oldValue, context.inFlow) ||
        (typeof oldValue === 'string' && plainScalarIsNotString(plainSource)));
    return { splice: undefined, oldValue, needsDocumentCheck: false, yaml11Mismatch };
  }
  if (!token) {
    // An empty value (`tag:` or `tag:   # comment`): insert right where the value would start.
    const at = node.range?.[0] ?? 0;
    const rendered = render(node, value, 'PLAIN', context);
    const before = at > 0 ? text[at - 1] : '\n';
    const needsSpaceBefore = before !== ' ' && before !== '\t' && before !== '\n';
    const needsSpaceAfter = text[at] === '#';
    return {
      splice: {
        start: at,
        end: at,
        replacement: `${needsSpaceBefore ? ' ' : ''}${rendered}${needsSpaceAfter ? ' ' : ''}`,
      },
      oldValue,
      needsDocumentCheck: false,
      yaml11Mismatch: false,
    };
  }
  if (FLOW_SCALAR_TYPES.has(token.type) && 'source' in token && typeof token.offset === 'number') {
    const style: ScalarStyle =
      token.type === 'double-quoted-scalar'
        ? 'QUOTE_DOUBLE'
        : token.type === 'single-quoted-scalar'
          ? 'QUOTE_SINGLE'
          : 'PLAIN';
    // renderFlowScalar only writes plain text it has checked under both YAML versions.
    const rendered = render(node, value, style, context);
    return {
      splice: { start: token.offset, end: token.offset + token.source.length, replacement: rendered },
      oldValue,
      needsDocumentCheck: false,
      yaml11Mismatch: false,
    };
  }
  // A block scalar: let yaml rewrite the token with the right indentation, then splice only that token's text.
  const original = CST.stringify(token);
  const offset = token.offset;
  if (text.slice(offset, offset + original.length) !== original) {
    throw new Error('internal: block scalar token does not match its source');
  }
  // A block scalar under a tag: the tag must be able to hold the value (the document check verifies the rest).
  if (node.tag !== undefined) render(node, value, 'PLAIN', context);
  const copy = structuredClone(token);
  if (typeof value === 'string') {
    CST.setScalarValue(copy, value, { afterKey: context.afterKey, inFlow: context.inFlow });
  } else {
    CST.setScalarValue(copy, renderFlowScalar(value, 'PLAIN', context.inFlow), {
      afterKey: context.afterKey,
      inFlow: context.inFlow,
      type: 'PLAIN',
    });
  }
  return {
    splice: { start: offset, end: offset + original.length, replacement: CST.stringify(copy) },
    oldValue,
    needsDocumentCheck: true,
    yaml11Mismatch: false,
  };
}

/** The flow text for `value`: under the node's explicit tag when it has one (see tagged-scalar.ts). */
function render(node: Scalar, value: YamlScalarValue, style: ScalarStyle, context: ScalarContext): string {
  if (node.tag === undefined) return renderFlowScalar(value, style, context.inFlow);
  return renderUnderTag(node.tag, value, style, context.inFlow, context.pathText ?? 'the edited value');
}

function toScalarValue(value: unknown): YamlScalarValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  return String(value);
}

/** Applies a splice. */
export function applySplice(text: string, splice: TextSplice): string {
  return text.slice(0, splice.start) + splice.replacement + text.slice(splice.end);
}
