// --- YAML editing (owned by the YAML work; edit only inside this block) ---

export { type DiffTextOptions, diffText } from './diff/diff-text.js';
export {
  type ApplyImagePolicyMarkersOptions,
  applyImagePolicyMarkers,
} from './flux/apply-image-policy-markers.js';
export {
  type KustomizeImage,
  parseKustomizeImage,
  type SetKustomizeImageOptions,
  setKustomizeImage,
} from './kustomize/set-kustomize-image.js';
export { type GetYamlValueOptions, getYamlValue } from './yaml/get-yaml-value.js';
export type { AliasPolicy } from './yaml/resolve-path.js';
export type { YamlScalarValue } from './yaml/scalar-style.js';
export {
  type UpdateYamlOptions,
  type UpdateYamlResult,
  updateYaml,
  type YamlEdit,
  type YamlUpdate,
  type YamlWarning,
} from './yaml/update-yaml.js';
export {
  DuplicateKeyError,
  InvalidYamlValueError,
  MultipleDocumentsError,
  PathNotFoundError,
  PathThroughAliasError,
  PathTypeError,
  ValuesFileTooLargeError,
  YamlEditVerificationError,
  YamlParseError,
  YamlPathSyntaxError,
} from './yaml/yaml-errors.js';
export {
  formatYamlPath,
  parseYamlPath,
  type YamlPath,
  type YamlPathSegment,
  type YamlSequenceSelector,
} from './yaml/yaml-path.js';
export { DEFAULT_MAX_YAML_BYTES, DEFAULT_MAX_YAML_DEPTH } from './yaml/yaml-source.js';
// --- end YAML editing ---

// --- git write-back (owned by the write-back work; edit only inside this block) ---
export {
  type ChangedValue,
  type CommitMessageContext,
  type CommitMessageTemplate,
  DEFAULT_COMMIT_MESSAGE_TEMPLATE,
  renderCommitMessage,
} from './git/commit-message.js';
export {
  BranchNotFoundError,
  FileNotFoundInRepoError,
  GitFetchTooLargeError,
  GitProtocolError,
  GitRedirectRefusedError,
  PathOutsideRepoError,
  PushConflictError,
  PushOutcomeUnknownError,
  UnsupportedGitServerError,
} from './git/errors.js';
export type { CommitIdentity } from './git/git-objects.js';
export {
  DEFAULT_READ_FILES_RETRY,
  type ReadFilesOptions,
  type ReadFilesResult,
  readFiles,
} from './git/read-files.js';
export { assertBranchName, assertRepoRelativePath } from './git/repo-path.js';
export { writeBack } from './git/write-back.js';
export {
  type BasicCredentials,
  type BearerCredentials,
  DEFAULT_WRITE_BACK_RETRY,
  type FunctionFileChange,
  type TokenCredentials,
  type WriteBackAuth,
  type WriteBackChange,
  type WriteBackCredentials,
  type WriteBackFileResult,
  type WriteBackOptions,
  type WriteBackResult,
  type WriteBackRetryOptions,
  type YamlFileChange,
} from './git/write-back-options.js';
// --- end git write-back ---

// --- git over SSH ---
export { type HostKeyVerdict, hostKeyFingerprint, KnownHosts } from './git/known-hosts.js';
export { HostKeyVerificationError, SshKeyError } from './git/ssh-errors.js';
export type { WriteBackSshOptions } from './git/ssh-options.js';
export { isSshRemote, parseSshRemote, type SshRemote } from './git/ssh-remote.js';
// --- end git over SSH ---
