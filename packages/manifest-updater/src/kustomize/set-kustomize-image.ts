import { parseImageReference } from '../flux/apply-image-policy-markers.js';
import {
  type UpdateYamlOptions,
  type UpdateYamlResult,
  updateYaml,
  type YamlUpdate,
} from '../yaml/update-yaml.js';
import { InvalidYamlValueError } from '../yaml/yaml-errors.js';

/** One kustomize `images:` entry to set, matched by `name`. */
export interface KustomizeImage {
  /** The image name the entry matches (`images[].name`). */
  readonly name: string;
  /** Replacement repository (`newName`). */
  readonly newName?: string;
  /** Replacement tag (`newTag`). */
  readonly newTag?: string;
  /** Replacement digest (`digest`, `sha256:…`). */
  readonly digest?: string;
}

/**
 * Reads an image in the syntax of `kustomize edit set image`: `NAME=NEWNAME:TAG@DIGEST`, where everything after
 * `NAME` is optional (`nginx:1.27`, `nginx@sha256:…`, `nginx=registry.example.com/nginx`); without `=`, the name
 * is the reference without its tag and digest. A registry port (`host:5000/app`) is not a tag.
 *
 * @throws {InvalidYamlValueError} when the name is empty, nothing would be set, or the digest is not
 *   `algorithm:hex`.
 * @example
 * ```ts
 * parseKustomizeImage('web=ghcr.io/org/web:1.4.0'); // { name: 'web', newName: 'ghcr.io/org/web', newTag: '1.4.0' }
 * ```
 */
export function parseKustomizeImage(expression: string): KustomizeImage {
  const equals = expression.indexOf('=');
  const name = (equals === -1 ? parseImageReference(expression).name : expression.slice(0, equals)).trim();
  const target = parseImageReference(equals === -1 ? expression : expression.slice(equals + 1));
  if (name === '' || /\s/.test(name)) {
    throw new InvalidYamlValueError(
      `"${expression}" does not name an image (NAME[=NEWNAME][:TAG][@DIGEST])`,
      {
        path: 'images',
      },
    );
  }
  if (target.digest !== undefined && !/^[a-z0-9]+:[0-9a-f]{32,}$/.test(target.digest)) {
    throw new InvalidYamlValueError(`"${target.digest}" is not a digest (algorithm:hex, e.g. sha256:…)`, {
      path: 'images',
    });
  }
  const image: { name: string; newName?: string; newTag?: string; digest?: string } = { name };
  if (equals !== -1 && target.name !== '') image.newName = target.name;
  if (target.tag !== undefined && target.tag !== '') image.newTag = target.tag;
  if (target.digest !== undefined) image.digest = target.digest;
  if (image.newName === undefined && image.newTag === undefined && image.digest === undefined) {
    throw new InvalidYamlValueError(`"${expression}" sets neither a new name, a tag nor a digest`, {
      path: 'images',
    });
  }
  return image;
}

/** Options of {@link setKustomizeImage}: those of `updateYaml` except `createMissing`, which is always on. */
export type SetKustomizeImageOptions = Omit<UpdateYamlOptions, 'createMissing'>;

/**
 * Sets `newName` / `newTag` / `digest` of the kustomization `images:` entry with this `name`. Creates `images:` or
 * the entry when missing (appended after the last entry, in the file's sequence style); other entries, their order
 * and every other byte stay as they were. Fields left undefined are not touched.
 *
 * @throws {InvalidYamlValueError} when `name` is empty or no field to set is given.
 * @throws {YamlParseError} / {PathTypeError} / {MultipleDocumentsError} as `updateYaml`.
 * @example
 * ```ts
 * const { text } = setKustomizeImage(kustomization, { name: 'nginx', newTag: '1.27.1' });
 * ```
 */
export function setKustomizeImage(
  source: string | Uint8Array,
  image: KustomizeImage,
  options: SetKustomizeImageOptions = {},
): UpdateYamlResult {
  if (typeof image.name !== 'string' || image.name === '') {
    throw new InvalidYamlValueError('A kustomize image needs a non-empty name', { path: 'images' });
  }
  const entry = { key: 'name', value: image.name };
  const updates: YamlUpdate[] = [];
  for (const field of ['newName', 'newTag', 'digest'] as const) {
    const value = image[field];
    if (value !== undefined) updates.push({ path: ['images', entry, field], value });
  }
  if (updates.length === 0) {
    throw new InvalidYamlValueError(
      `Nothing to set for image ${image.name}: give newName, newTag or digest`,
      {
        path: `images[name=${image.name}]`,
      },
    );
  }
  return updateYaml(source, updates, { ...options, createMissing: true });
}
