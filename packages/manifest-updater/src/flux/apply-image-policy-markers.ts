import { isMap, isPair, isScalar, isSeq, type Scalar } from 'yaml';
import { parseYamlForEdit } from '../yaml/parsed-yaml.js';
import { applySplice, planScalarEdit, type TextSplice } from '../yaml/scalar-edit.js';
import type { UpdateYamlResult, YamlEdit } from '../yaml/update-yaml.js';
import { formatYamlPath, type YamlPathSegment } from '../yaml/yaml-path.js';
import {
  assertNestingWithin,
  DEFAULT_MAX_YAML_BYTES,
  DEFAULT_MAX_YAML_DEPTH,
  lineAndColumn,
  readYamlSource,
} from '../yaml/yaml-source.js';

/** Options of {@link applyImagePolicyMarkers}. */
export interface ApplyImagePolicyMarkersOptions {
  /** Default 2 MiB. */
  readonly maxBytes?: number;
  /** Default 200. */
  readonly maxDepth?: number;
  /** Default 100. */
  readonly maxAliasCount?: number;
}

const MARKER = /\{\s*"\$imagepolicy"\s*:\s*"([^"]+)"\s*\}/;

/** The parts of an image reference `registry:5000/repo/name:tag@sha256:…`. */
interface ImageReference {
  readonly name: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

/**
 * Applies Flux image-automation setter markers, so files written for Flux keep working:
 * `image: repo:v1 # {"$imagepolicy": "flux-system:app"}` gets the whole reference, and the suffixes `:tag`, `:name`
 * and `:digest` set only that part. `policies` maps `namespace:policy` to the latest image reference
 * (`repo:tag` or `repo@sha256:…`). Only real comments count (a marker inside a block scalar is text, as in Flux).
 * Only the marked scalars change; all other bytes stay as they were.
 *
 * @throws {YamlParseError} malformed YAML; {@link ValuesFileTooLargeError} over `maxBytes`.
 * @example
 * ```ts
 * applyImagePolicyMarkers(text, { 'flux-system:podinfo': 'ghcr.io/stefanprodan/podinfo:6.7.1' });
 * ```
 */
export function applyImagePolicyMarkers(
  source: string | Uint8Array,
  policies: Readonly<Record<string, string>>,
  options: ApplyImagePolicyMarkersOptions = {},
): UpdateYamlResult {
  const { bom, body } = readYamlSource(source, options.maxBytes ?? DEFAULT_MAX_YAML_BYTES);
  const unchanged = {
    text: typeof source === 'string' ? source : bom + body,
    changed: false,
    edits: [],
    warnings: [],
  };
  if (!body.includes('$imagepolicy')) return unchanged;
  assertNestingWithin(body, options.maxDepth ?? DEFAULT_MAX_YAML_DEPTH);
  const parsed = parseYamlForEdit(body, { maxAliasCount: options.maxAliasCount ?? 100 });
  const planned: Array<{ splice: TextSplice; edit: Omit<YamlEdit, 'line'> }> = [];
  for (const document of parsed.documents) {
    visitScalars(document.contents, [], false, (node, path, inFlow) => {
      const marker = markerOf(node);
      if (!marker) return;
      const [namespace, policy, field] = marker.split(':');
      if (!namespace || !policy) return;
      const latest = policies[`${namespace}:${policy}`];
      if (latest === undefined) return;
      const reference = parseImageReference(latest);
      const value =
        field === undefined
          ? latest
          : field === 'tag'
            ? reference.tag
            : field === 'name'
              ? reference.name
              : field === 'digest'
                ? reference.digest
                : undefined;
      if (value === undefined) return;
      const plan = planScalarEdit(body, node, value, { inFlow, afterKey: true });
      if (!plan.splice) return;
      planned.push({
        splice: plan.splice,
        edit: { path: formatYamlPath(path), oldValue: plan.oldValue, newValue: value, created: false },
      });
    });
  }
  if (planned.length === 0) return unchanged;
  // Apply from the end so earlier offsets stay valid.
  planned.sort((left, right) => right.splice.start - left.splice.start);
  let text = body;
  const edits: YamlEdit[] = [];
  for (const { splice, edit } of planned) {
    edits.unshift({ ...edit, line: lineAndColumn(body, splice.start).line });
    text = applySplice(text, splice);
  }
  return { text: bom + text, changed: true, edits, warnings: [] };
}

/** The `$imagepolicy` value of the comment on the scalar's own line, if any. */
function markerOf(node: Scalar): string | undefined {
  const token = node.srcToken;
  if (!token || !('end' in token) || !Array.isArray(token.end)) {
    // Block scalars keep their header comment in props; markers are only honoured on flow scalars, as in Flux.
    return undefined;
  }
  for (const part of token.end) {
    if (part.type === 'newline') break;
    if (part.type === 'comment') {
      const match = MARKER.exec(part.source);
      if (match) return match[1];
    }
  }
  return undefined;
}

function visitScalars(
  node: unknown,
  path: YamlPathSegment[],
  inFlow: boolean,
  visit: (node: Scalar, path: YamlPathSegment[], inFlow: boolean) => void,
): void {
  const stack: Array<{ node: unknown; path: YamlPathSegment[]; inFlow: boolean }> = [{ node, path, inFlow }];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (isScalar(current.node)) visit(current.node, current.path, current.inFlow);
    else if (isMap(current.node)) {
      const flow = current.inFlow || current.node.flow === true;
      for (const pair of current.node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        stack.push({ node: pair.value, path: [...current.path, String(pair.key.value)], inFlow: flow });
      }
    } else if (isSeq(current.node)) {
      const flow = current.inFlow || current.node.flow === true;
      current.node.items.forEach((item, index) => {
        stack.push({ node: item, path: [...current.path, index], inFlow: flow });
      });
    }
  }
}

/** Splits `host:5000/repo/app:1.2@sha256:abc` into name, tag and digest. */
export function parseImageReference(reference: string): ImageReference {
  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { name: rest, tag: undefined, digest };
}
