import { type WriteBackAuth, writeBack } from '@gitops-kit/manifest-updater';

/** A branch's head commit and the text of some files at it. */
export interface DeployFiles {
  head: string;
  texts: Map<string, string>;
}

/**
 * Reads files at a branch's head with the write-back client: every change hands the text back unchanged, so nothing
 * is committed ("no diff, no commit") and the answer is the head the files were read at. One fetch reads every
 * file of a repository and branch, which is how a release's stages usually share one deploy repository.
 *
 * @throws what `writeBack` throws (authentication, a missing branch or file).
 */
export async function readDeployFiles(
  repository: { url: string; branch: string; auth?: WriteBackAuth | undefined },
  files: readonly string[],
  signal: AbortSignal | undefined,
): Promise<DeployFiles> {
  const texts = new Map<string, string>();
  const result = await writeBack({
    url: repository.url,
    branch: repository.branch,
    ...(repository.auth === undefined ? {} : { auth: repository.auth }),
    changes: [...new Set(files)].map((file) => ({
      file,
      edit: (text: string) => {
        texts.set(file, text);
        return text;
      },
    })),
    retry: false,
    ...(signal === undefined ? {} : { signal }),
  });
  return { head: result.parent, texts };
}
