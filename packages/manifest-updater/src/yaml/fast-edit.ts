import { Composer, isMap, isScalar, Parser } from 'yaml';
import { scanForScalar } from './line-scanner.js';
import { keyText } from './parsed-yaml.js';
import { planScalarEdit, type ScalarEditPlan, type TextSplice } from './scalar-edit.js';
import { sameScalarValue, type YamlScalarValue } from './scalar-style.js';
import type { YamlPathSegment } from './yaml-path.js';

/** The result of the fast path: a plan in whole-text offsets. */
export interface FastEditPlan extends ScalarEditPlan {
  readonly splice: TextSplice | undefined;
}

/**
 * The fast path: find the target line with the indentation scanner, then let yaml's CST parse and edit only that
 * line (`key: value # comment`). Returns undefined when anything is unusual, so the caller uses the full parse.
 */
export function tryFastEdit(
  text: string,
  segments: readonly YamlPathSegment[],
  value: YamlScalarValue,
): FastEditPlan | undefined {
  const last = segments[segments.length - 1];
  if (typeof last !== 'string' && typeof last !== 'number') return undefined;
  const target = scanForScalar(text, segments);
  if (!target) return undefined;
  const region = text.slice(target.keyStart, target.lineEnd);
  const node = parseSinglePair(region, String(last));
  // Tagged targets take the full path, which verifies the value under its tag.
  if (!node || node.tag !== undefined) return undefined;
  const plan = planScalarEdit(region, node, value, { inFlow: false, afterKey: true });
  if (plan.needsDocumentCheck) return undefined;
  if (!plan.splice) return plan;
  const edited = region.slice(0, plan.splice.start) + plan.splice.replacement + region.slice(plan.splice.end);
  if (/[\r\n]/.test(edited)) return undefined;
  const check = parseSinglePair(edited, String(last));
  if (!check || !sameScalarValue(check.value, value)) return undefined;
  return {
    ...plan,
    splice: {
      start: target.keyStart + plan.splice.start,
      end: target.keyStart + plan.splice.end,
      replacement: plan.splice.replacement,
    },
  };
}

/** Parses one `key: scalar # comment` line; undefined unless it is exactly that. */
function parseSinglePair(region: string, key: string) {
  const tokens = [...new Parser().parse(region)];
  const documents = [...new Composer({ keepSourceTokens: true }).compose(tokens, true, region.length)];
  if (documents.length !== 1) return undefined;
  const document = documents[0]!;
  if (document.errors.length > 0) return undefined;
  const contents = document.contents;
  if (!isMap(contents) || contents.items.length !== 1) return undefined;
  const pair = contents.items[0]!;
  if (!isScalar(pair.key) || keyText(pair.key) !== key) return undefined;
  if (pair.value === null) return undefined;
  if (!isScalar(pair.value)) return undefined;
  return pair.value;
}
