import { isAlias, isMap, isScalar, isSeq, type Scalar } from 'yaml';
import { planInsertion } from './insert-missing.js';
import { parseYamlForEdit, selectDocument } from './parsed-yaml.js';
import { type AliasPolicy, resolvePath } from './resolve-path.js';
import { planScalarEdit, type TextSplice } from './scalar-edit.js';
import { sameScalarValue, scalarSourceReadsAs, type YamlScalarValue } from './scalar-style.js';
import { tagHolds } from './tagged-scalar.js';
import { PathNotFoundError, PathTypeError, YamlEditVerificationError } from './yaml-errors.js';
import type { YamlPathSegment } from './yaml-path.js';
import { assertNestingWithin } from './yaml-source.js';

/** Settings the full CST path needs. */
export interface FullEditSettings {
  readonly createMissing: boolean;
  readonly document: number | undefined;
  readonly aliases: AliasPolicy;
  readonly maxDepth: number;
  readonly maxAliasCount: number;
}

/** The outcome of one update on the full path. */
export interface FullEditPlan {
  readonly splice: TextSplice | undefined;
  readonly oldValue: YamlScalarValue | undefined;
  readonly created: boolean;
  readonly yaml11Mismatch: boolean;
}

/**
 * Validates the whole source (nesting, parse errors, duplicate keys, alias count, documents) and plans one update
 * with yaml's CST, then re-parses the result to prove it holds the value and nothing broke.
 */
export function planFullEdit(
  text: string,
  segments: readonly YamlPathSegment[],
  value: YamlScalarValue,
  pathText: string,
  settings: FullEditSettings,
): FullEditPlan {
  assertNestingWithin(text, settings.maxDepth);
  const parsed = parseYamlForEdit(text, { maxAliasCount: settings.maxAliasCount });
  const document = selectDocument(parsed, settings.document);
  const resolution = resolvePath(document, segments, settings.aliases, pathText);
  if (resolution.kind === 'missing') {
    if (!settings.createMissing) {
      throw new PathNotFoundError(
        `The path ${pathText} does not exist (missing "${String(describe(segments[resolution.missingAt]!))}"); ` +
          'set createMissing: true to create it',
        { path: pathText },
      );
    }
    const splice = planInsertion(text, document, resolution, segments, value, pathText);
    verify(text, splice, segments, value, pathText, settings);
    return { splice, oldValue: undefined, created: true, yaml11Mismatch: false };
  }
  const node = resolution.node;
  if (!isScalar(node)) {
    const found = isMap(node) ? 'map' : isSeq(node) ? 'sequence' : isAlias(node) ? 'alias' : 'node';
    throw new PathTypeError(`The path ${pathText} points to a ${found}, not a scalar value`, {
      path: pathText,
      found,
    });
  }
  const plan = planScalarEdit(text, node as Scalar, value, {
    inFlow: resolution.inFlow,
    afterKey: resolution.afterKey,
    pathText,
  });
  if (plan.splice) {
    // A flow scalar's replacement is checked on its own (cheap); a rewritten block scalar needs the whole document.
    if (plan.needsDocumentCheck) verify(text, plan.splice, segments, value, pathText, settings);
    else if (!scalarSourceReadsAs(plan.splice.replacement.trim(), value, resolution.inFlow, node.tag)) {
      throw new YamlEditVerificationError(
        `Setting ${pathText} would not read back as the intended value; the source was left unchanged`,
        { path: pathText },
      );
    }
  }
  return {
    splice: plan.splice,
    oldValue: plan.oldValue,
    created: false,
    yaml11Mismatch: plan.yaml11Mismatch,
  };
}

function verify(
  text: string,
  splice: TextSplice,
  segments: readonly YamlPathSegment[],
  value: YamlScalarValue,
  pathText: string,
  settings: FullEditSettings,
): void {
  const edited = text.slice(0, splice.start) + splice.replacement + text.slice(splice.end);
  let ok = false;
  try {
    const parsed = parseYamlForEdit(edited, { maxAliasCount: settings.maxAliasCount });
    const document = selectDocument(parsed, settings.document);
    const resolution = resolvePath(document, segments, 'edit-anchor', pathText);
    ok =
      resolution.kind === 'found' &&
      isScalar(resolution.node) &&
      sameScalarValue(resolution.node.value, value) &&
      tagHolds(resolution.node.tag, resolution.node.value);
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new YamlEditVerificationError(
      `Setting ${pathText} would not read back as the intended value (an explicit tag or an unusual layout on ` +
        'the target); the source was left unchanged',
      { path: pathText },
    );
  }
}

function describe(segment: YamlPathSegment): string {
  return typeof segment === 'object' ? `[${segment.key}=${segment.value}]` : String(segment);
}
