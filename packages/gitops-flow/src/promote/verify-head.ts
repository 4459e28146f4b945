import { isDeepStrictEqual } from 'node:util';
import { getYamlValue, writeBack } from '@gitops-kit/manifest-updater';
import type { HeadVerdict } from './confirm-revision.js';
import type { PromoteOptions } from './promote-options.js';
import type { PromotionEdit } from './promotion-changes.js';

/**
 * Builds the check `confirmRevision` runs when Argo CD resolves the branch to a commit newer than ours: read the
 * branch head (a write-back whose edit changes nothing, so nothing is pushed) and see whether our values are
 * still there.
 */
export function headVerifier(
  repository: NonNullable<PromoteOptions['repository']>,
  edits: () => readonly PromotionEdit[],
  signal: AbortSignal | undefined,
): (resolved: string) => Promise<HeadVerdict> {
  return async (resolved) => {
    const wanted = edits();
    const files = [...new Set(wanted.map((edit) => edit.file))];
    if (files.length === 0) return 'unknown';
    const texts = new Map<string, string>();
    const result = await writeBack({
      url: repository.url,
      branch: repository.branch,
      ...(repository.auth ? { auth: repository.auth } : {}),
      ...(repository.ssh ? { ssh: repository.ssh } : {}),
      changes: files.map((file) => ({
        file,
        edit: (text: string) => {
          texts.set(file, text);
          return text;
        },
      })),
      ...(signal ? { signal } : {}),
    });
    if (result.parent !== resolved) return 'unknown';
    for (const edit of wanted) {
      const text = texts.get(edit.file);
      if (text === undefined || !isDeepStrictEqual(getYamlValue(text, edit.path), edit.newValue))
        return 'superseded';
    }
    return 'contains';
  };
}
