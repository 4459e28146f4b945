export type { ProjectRules, StoredChangeRequest } from './change-request-store.js';
export type { ForgeFault, ForgeRequestRecord } from './forge-http.js';
export type { ForgeMergeMethod } from './git-merge.js';
export { GitHubEmulator, type GitHubEmulatorOptions } from './github-emulator.js';
export { GitLabEmulator, type GitLabEmulatorOptions } from './gitlab-emulator.js';
