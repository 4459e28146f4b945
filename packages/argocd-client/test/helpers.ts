import { randomBytes } from 'node:crypto';
import { type Logger, silentLogger } from '@gitops-kit/core';
import { ArgoCDEmulator, type ArgoCDEmulatorOptions } from '@gitops-kit/testkit';
import { ArgoCDClient, type ArgoCDClientOptions } from '../src/index.js';

export const REPO_URL = 'https://git.example.invalid/platform/deploy.git';

/** A logger that keeps every line (to assert nothing secret was logged). */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push =
    (level: string) =>
    (message: string, ...details: unknown[]): void => {
      lines.push(`${level} ${message} ${details.map((detail) => JSON.stringify(detail)).join(' ')}`);
    };
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

/** A random password that must never show up in errors or logs. */
export function canaryPassword(): string {
  return `canary-${randomBytes(12).toString('hex')}`;
}

export interface Fixture {
  emulator: ArgoCDEmulator;
  client: ArgoCDClient;
  password: string;
  sha: string;
  close(): Promise<void>;
}

/** Starts an emulator with one Helm app ("web" in project "default") and a logged-in-by-password client. */
export async function startFixture(
  emulatorOptions: ArgoCDEmulatorOptions = {},
  clientOptions: Partial<ArgoCDClientOptions> = {},
): Promise<Fixture> {
  const password = canaryPassword();
  const emulator = await ArgoCDEmulator.start({ adminPassword: password, ...emulatorOptions });
  const sha = emulator.seedRepositoryCommit(REPO_URL, {
    files: {
      'helm/Chart.yaml': 'name: web\nversion: 1.0.0\n',
      'helm/my-values.yaml': 'image:\n  repository: nginx\n  tag: "1.25"\n',
    },
  });
  emulator.seedApplication({
    metadata: { name: 'web' },
    spec: {
      project: 'default',
      source: {
        repoURL: REPO_URL,
        path: 'helm',
        targetRevision: 'main',
        helm: { valueFiles: ['my-values.yaml'] },
      },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'web' },
    },
  });
  // Let the controller finish its first reconcile so later scripted operations do not race with it.
  await emulator.refresh('web');
  const client = new ArgoCDClient({
    server: emulator.url,
    auth: { username: 'admin', password },
    logger: silentLogger,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...clientOptions,
  });
  return {
    emulator,
    client,
    password,
    sha,
    close: async () => {
      await client.close();
      await emulator.stop();
    },
  };
}
