import type { FlagSpec } from './command-spec.js';

/** `-h/--help`, on every command. */
export const HELP_FLAG: FlagSpec = {
  name: 'help',
  short: 'h',
  type: 'boolean',
  description: 'show this help',
  group: 'Output',
};

/** `-o/--output` with the command's formats (kubectl, argocd and tkn all spell it `-o`). */
export function outputFlag(choices: readonly string[], description = 'output format'): FlagSpec {
  return {
    name: 'output',
    short: 'o',
    type: 'string',
    value: 'FORMAT',
    description,
    choices,
    default: choices[0] as string,
    group: 'Output',
  };
}

/** `-q/--quiet` and `--verbose`, on every command that talks to a server. */
export const VERBOSITY_FLAGS: readonly FlagSpec[] = [
  {
    name: 'quiet',
    short: 'q',
    type: 'boolean',
    description: 'no progress lines, only the result and errors',
    group: 'Output',
  },
  {
    name: 'verbose',
    type: 'boolean',
    description: 'also show each HTTP request and its status (secrets redacted)',
    group: 'Output',
  },
];

/** Application scope flags shared by the Argo CD commands. */
export const APPLICATION_FLAGS: readonly FlagSpec[] = [
  {
    name: 'app',
    type: 'string',
    value: 'NAME',
    description: 'Argo CD application (required)',
    group: 'Application',
  },
  {
    name: 'project',
    type: 'string',
    value: 'NAME',
    description: 'its AppProject (recommended: tells a missing app from a forbidden one)',
    group: 'Application',
  },
  {
    name: 'app-namespace',
    type: 'string',
    value: 'NS',
    description: "the application's namespace (apps in any namespace)",
    group: 'Application',
  },
];

/**
 * The Argo CD connection flags, read like the argocd CLI reads them. Secrets come from files or the environment,
 * never from argv (argv is visible to every user of the machine in `ps`).
 */
export const ARGOCD_FLAGS: readonly FlagSpec[] = [
  {
    name: 'argocd-server',
    type: 'string',
    value: 'URL',
    description: 'Argo CD API server (required)',
    env: 'ARGOCD_SERVER',
    group: 'Argo CD connection',
  },
  {
    name: 'argocd-token-file',
    type: 'string',
    value: 'PATH',
    description: 'file holding an Argo CD token (or set ARGOCD_AUTH_TOKEN)',
    complete: 'file',
    group: 'Argo CD connection',
  },
  {
    name: 'argocd-username',
    type: 'string',
    value: 'NAME',
    description: 'log in as this user (with --argocd-password-file or ARGOCD_PASSWORD)',
    env: 'ARGOCD_USERNAME',
    group: 'Argo CD connection',
  },
  {
    name: 'argocd-password-file',
    type: 'string',
    value: 'PATH',
    description: "file holding that user's password",
    complete: 'file',
    group: 'Argo CD connection',
  },
  {
    name: 'argocd-ca-file',
    type: 'string',
    value: 'PATH',
    description: 'CA bundle that signs the server certificate',
    complete: 'file',
    group: 'Argo CD connection',
  },
  {
    name: 'argocd-insecure-skip-verify',
    type: 'boolean',
    description: 'do not verify the server certificate (test setups only)',
    group: 'Argo CD connection',
  },
  {
    name: 'argocd-plaintext',
    type: 'boolean',
    description: 'use http:// when the server is given without a scheme',
    group: 'Argo CD connection',
  },
];

/** The environment variables the Argo CD commands read besides the flags' own. */
export const ARGOCD_ENVIRONMENT = [
  { name: 'ARGOCD_AUTH_TOKEN', description: 'Argo CD token (instead of --argocd-token-file)' },
  {
    name: 'ARGOCD_PASSWORD',
    description: 'password for --argocd-username (instead of --argocd-password-file)',
  },
  { name: 'CI', description: 'when "true", progress is printed as plain lines even on a terminal' },
] as const;

/**
 * The git credential flags of commands that push. Declared once here so that further transports (SSH keys) are
 * one entry each.
 */
export const GIT_FLAGS: readonly FlagSpec[] = [
  {
    name: 'git-username',
    type: 'string',
    value: 'NAME',
    description: 'git user for a password or token',
    env: 'GIT_USERNAME',
    group: 'Git credentials',
  },
  {
    name: 'git-password-file',
    type: 'string',
    value: 'PATH',
    description: 'file holding the git password (or set GIT_PASSWORD)',
    complete: 'file',
    group: 'Git credentials',
  },
  {
    name: 'git-token-file',
    type: 'string',
    value: 'PATH',
    description: 'file holding a git token (or set GIT_TOKEN)',
    complete: 'file',
    group: 'Git credentials',
  },
  {
    name: 'git-ssh-key-file',
    type: 'string',
    value: 'PATH',
    description: 'SSH private key for git@host:path and ssh:// repos (or GIT_SSH_KEY_FILE, GIT_SSH_KEY)',
    complete: 'file',
    group: 'Git credentials',
  },
  {
    name: 'git-known-hosts-file',
    type: 'string',
    multiple: true,
    value: 'PATH',
    description: 'trusted SSH host keys (repeatable; default ~/.ssh/known_hosts, /etc/ssh/ssh_known_hosts)',
    complete: 'file',
    group: 'Git credentials',
  },
  {
    name: 'git-ssh-insecure-ignore-host-key',
    type: 'boolean',
    description: 'accept any SSH host key (INSECURE: throwaway test set-ups only)',
    group: 'Git credentials',
  },
];

/** The environment variables behind the git credential flags. */
export const GIT_ENVIRONMENT = [
  { name: 'GIT_TOKEN', description: 'git token (instead of --git-token-file)' },
  { name: 'GIT_PASSWORD', description: 'git password for --git-username (instead of --git-password-file)' },
  { name: 'GIT_SSH_KEY_FILE', description: 'SSH private key file (instead of --git-ssh-key-file)' },
  { name: 'GIT_SSH_KEY', description: 'SSH private key itself, for SSH repos' },
  { name: 'GIT_SSH_KEY_PASSPHRASE', description: 'passphrase of the SSH private key' },
] as const;
