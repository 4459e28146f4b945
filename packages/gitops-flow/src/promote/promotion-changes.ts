import { ValidationError } from '@gitops-kit/core';
import {
  diffText,
  setKustomizeImage,
  updateYaml,
  type WriteBackChange,
  type YamlUpdate,
} from '@gitops-kit/manifest-updater';
import type { PromotionChange } from './promote-options.js';

/** One value a promotion changed. */
export interface PromotionEdit {
  file: string;
  path: string;
  oldValue: unknown;
  newValue: unknown;
}

/** Collects what the edit functions did on their latest run (a push race re-runs them on new content). */
export class ChangeRecorder {
  readonly #edits = new Map<string, PromotionEdit[]>();
  readonly #diffs = new Map<string, string>();
  readonly #texts = new Map<string, RecordedFileTexts>();

  record(file: string, before: string, after: string, edits: PromotionEdit[]): void {
    this.#edits.set(file, edits);
    this.#texts.set(file, { before, after });
    const diff = diffText(before, after, { fileName: file });
    if (diff) this.#diffs.set(file, diff);
    else this.#diffs.delete(file);
  }

  get edits(): PromotionEdit[] {
    return [...this.#edits.values()].flat();
  }

  /** Per file, the text the latest edit started from and the text it produced. */
  get texts(): ReadonlyMap<string, RecordedFileTexts> {
    return this.#texts;
  }

  get diff(): string {
    return [...this.#diffs.values()].join('');
  }
}

function toUpdates(set: PromotionChange['set']): YamlUpdate[] {
  if (!set) return [];
  if (Array.isArray(set)) return [...(set as readonly YamlUpdate[])];
  return Object.entries(set as Record<string, unknown>).map(
    ([path, value]) => ({ path, value }) as YamlUpdate,
  );
}

/** Applies one change to a file's text: values first, then kustomize images. */
function applyChange(change: PromotionChange, text: string): { text: string; edits: PromotionEdit[] } {
  let current = text;
  const edits: PromotionEdit[] = [];
  const updates = toUpdates(change.set);
  if (updates.length > 0) {
    const result = updateYaml(current, updates, { createMissing: change.createMissing ?? false });
    current = result.text;
    for (const edit of result.edits) {
      edits.push({
        file: change.file,
        path: String(edit.path),
        oldValue: edit.oldValue,
        newValue: edit.newValue,
      });
    }
  }
  for (const image of change.kustomizeImages ?? []) {
    const result = setKustomizeImage(current, image);
    current = result.text;
    for (const edit of result.edits) {
      edits.push({
        file: change.file,
        path: String(edit.path),
        oldValue: edit.oldValue,
        newValue: edit.newValue,
      });
    }
  }
  return { text: current, edits };
}

/**
 * Checks the changes before anything is fetched.
 *
 * @throws {ValidationError} when there is nothing to change or a change names no file.
 */
export function validatePromotionChanges(changes: readonly PromotionChange[] | undefined): PromotionChange[] {
  if (!changes || changes.length === 0) {
    throw new ValidationError('A promotion needs at least one change (a file and the values to set)', {
      field: 'changes',
    });
  }
  for (const change of changes) {
    if (typeof change.file !== 'string' || change.file.trim() === '') {
      throw new ValidationError('Every change needs a repository-relative file path', {
        field: 'changes.file',
      });
    }
    if (toUpdates(change.set).length === 0 && (change.kustomizeImages ?? []).length === 0) {
      throw new ValidationError(`The change to ${change.file} sets nothing`, { field: 'changes.set' });
    }
  }
  return [...changes];
}

/**
 * Turns promotion changes into write-back changes that record their edits and diff. In a dry run each function
 * hands the original text back, so nothing is committed and the recorder still holds the would-be change.
 */
export function toWriteBackChanges(
  changes: readonly PromotionChange[],
  recorder: ChangeRecorder,
  options: { dryRun: boolean },
): WriteBackChange[] {
  return changes.map((change) => ({
    file: change.file,
    edit: (text: string) => {
      const result = applyChange(change, text);
      recorder.record(change.file, text, result.text, result.edits);
      return options.dryRun ? text : result.text;
    },
  }));
}

/** A file's text before and after the promotion's edit (the content that was pushed). */
export interface RecordedFileTexts {
  before: string;
  after: string;
}

/**
 * The write-back changes that undo a promotion (the git-revert failure policy). A file nobody touched since gets
 * its exact former bytes back, as `git revert` would, which also removes keys the promotion created. A file
 * others changed meanwhile gets each old value written back; a key that did not exist before cannot be unset by a
 * value edit and is reported to `onLeftAlone` (once).
 */
export function toRevertChanges(
  edits: readonly PromotionEdit[],
  texts: ReadonlyMap<string, RecordedFileTexts>,
  onLeftAlone: (edit: PromotionEdit) => void,
): WriteBackChange[] {
  const reported = new Set<PromotionEdit>();
  const files = [...new Set(edits.map((edit) => edit.file))];
  return files.map((file) => ({
    file,
    edit: (text: string) => {
      const recorded = texts.get(file);
      if (recorded && text === recorded.after) return recorded.before;
      const updates: YamlUpdate[] = [];
      for (const edit of edits) {
        if (edit.file !== file) continue;
        if (edit.oldValue !== undefined) {
          updates.push({ path: edit.path, value: edit.oldValue } as YamlUpdate);
        } else if (!reported.has(edit)) {
          reported.add(edit);
          onLeftAlone(edit);
        }
      }
      return updates.length > 0 ? updateYaml(text, updates).text : text;
    },
  }));
}
