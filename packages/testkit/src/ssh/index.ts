export {
  type SshCommandRecord,
  SshGitServer,
  type SshGitServerOptions,
} from './ssh-git-server.js';
export { generateSshKey, type SshKeyOptions, type SshKeyType, type SshTestKey } from './ssh-keys.js';
