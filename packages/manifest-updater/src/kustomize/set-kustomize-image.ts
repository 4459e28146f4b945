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
