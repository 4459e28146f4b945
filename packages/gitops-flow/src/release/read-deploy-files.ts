import { readFiles } from '@gitops-kit/manifest-updater';
import type { RepositoryAccess } from './repository-access.js';

/** A branch's head commit and the text of some files at it. */
export interface DeployFiles {
  head: string;
  texts: Map<string, string>;
}

/**
 * Reads files at a branch's head through git-upload-pack only (`readFiles`): a read-only credential (a deploy
 * token with read_repository, a deploy key without write access) is enough, and nothing can be written. One fetch
 * reads every file of a repository and branch, which is how a release's stages usually share one deploy repository.
 *
 * @throws what `readFiles` throws (authentication, a missing branch or file, SSH host key or key errors).
 */
export async function readDeployFiles(
  repository: { url: string; branch: string } & RepositoryAccess,
  files: readonly string[],
  signal: AbortSignal | undefined,
): Promise<DeployFiles> {
  const result = await readFiles({
    url: repository.url,
    branch: repository.branch,
    ...(repository.auth === undefined ? {} : { auth: repository.auth }),
    ...(repository.ssh === undefined ? {} : { ssh: repository.ssh }),
    files: [...new Set(files)],
    retry: false,
    ...(signal === undefined ? {} : { signal }),
  });
  const texts = new Map<string, string>();
  for (const [file, text] of result.files) if (text !== undefined) texts.set(file, text);
  return { head: result.head, texts };
}
