// Update an image in a kustomization and push it: what `kustomize edit set image` + `git commit` + `git push` do,
// without a checkout. Only the `images:` entry changes; comments and the rest of the file stay as they were. A push
// race (someone else pushed first) is retried on the new head.
//
//   GIT_REPO_URL=https://gitlab.example.com/team/deploy.git GIT_TOKEN=... \
//   KUSTOMIZATION=overlays/prod/kustomization.yaml IMAGE=web=registry.example.com/team/web:1.4.0 \
//   npx tsx examples/update-kustomize-image.ts
//
// Environment:
//   GIT_REPO_URL    the deploy repository (https, no credentials in it)                  required
//   GIT_TOKEN       a token (or password) that may push to it                              required
//   GIT_USERNAME    the user name sent with the token                    default oauth2 (GitLab's convention)
//   GIT_BRANCH      the branch to update                                                  default main
//   KUSTOMIZATION   repository-relative path of the kustomization.yaml                     required
//   IMAGE           `kustomize edit set image` syntax: NAME=NEWNAME:TAG@DIGEST, NAME:TAG, …  required
import { registerSecret } from '@gitops-kit/core';
import { parseKustomizeImage, setKustomizeImage, writeBack } from '@gitops-kit/manifest-updater';

function env(name: string, fallback?: string): string {
  const value = process.env[name] || fallback;
  if (value === undefined) throw new Error(`${name} is not set (see the top of update-kustomize-image.ts)`);
  return value;
}

async function main(): Promise<void> {
  const token = env('GIT_TOKEN');
  registerSecret(token); // never shown in an error or log line
  const file = env('KUSTOMIZATION');
  const image = parseKustomizeImage(env('IMAGE')); // throws a clear error for a malformed IMAGE

  const result = await writeBack({
    url: env('GIT_REPO_URL'),
    branch: env('GIT_BRANCH', 'main'),
    auth: { username: env('GIT_USERNAME', 'oauth2'), password: token },
    message: `Set image ${image.name} to ${[image.newName, image.newTag, image.digest].filter(Boolean).join(' ')}`,
    // A function change is re-applied to the new head if the push loses a race.
    changes: [{ file, edit: (text) => setKustomizeImage(text, image).text }],
  });

  if (result.commit === null) console.log(`${file} already sets ${image.name} that way; nothing pushed`);
  else console.log(`pushed ${result.commit} to ${result.branch} (${result.attempts} attempt(s)): ${file}`);
}

main().catch((error: unknown) => {
  console.error(`update-kustomize-image: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
