export type {
  BeforeReceivePackHook,
  GitFault,
  GitFaultMatch,
  GitRequestInfo,
  GitRequestPhase,
  GitServiceName,
  InstalledGitFault,
} from './fault-hooks.js';
export {
  type CreatedRepo,
  type CreateRepoOptions,
  type GitLogEntry,
  type GitRequestRecord,
  GitServer,
  type GitServerOptions,
} from './git-server.js';
export type {
  ExecutableEntry,
  GitIdentity,
  RepoFileChanges,
  RepoFileContent,
  RepoFiles,
  SymlinkEntry,
} from './repo-content.js';
