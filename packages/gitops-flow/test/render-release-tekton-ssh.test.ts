import { readFile } from 'node:fs/promises';
import { validateTektonDocument } from '@gitops-kit/tekton-client';
import { SshGitServer, type SshTestKey } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { ExitCode, type RenderReleaseTektonOptions, renderReleaseTekton, runCli } from '../src/index.js';
import { captureIo } from './cli-io.js';
import { type ReleaseEnvironment, startReleaseEnvironment } from './release-environment.js';
import {
  anyObject,
  applyRendered,
  CLI,
  CONFIG_MAP,
  configMap,
  NAMESPACE,
  npxOfThisVersion,
  runReleasePipeline,
  SECRET,
  scriptReleaseStep,
  secret,
  useTekton,
} from './tekton-fixtures.js';

const STAGES = ['dev', 'staging', 'prod'];
const LAYOUTS: Array<[string, RenderReleaseTektonOptions]> = [
  ['single-step', { pipelineName: 'release-ssh' }],
  ['per-stage', { pipelineName: 'release-ssh-per-stage', layout: 'per-stage', stageNames: STAGES }],
];

type JsonRecord = Record<string, unknown>;

describe('renderReleaseTekton with an SSH key Secret (gitSshSecretName)', { timeout: 180_000 }, () => {
  const cluster = useTekton();

  it.each(LAYOUTS)(
    '%s: the key Secret is mounted as files and passed by path; Tekton admits it',
    async (_, layout) => {
      const options: RenderReleaseTektonOptions = {
        ...layout,
        namespace: NAMESPACE,
        mode: 'standalone',
        stagesConfigMap: 'release-stages',
        gitSshSecretName: 'deploy-key',
      };
      const rendered = renderReleaseTekton(options);
      for (const document of parseAllDocuments(rendered.yaml).map((entry) => entry.toJS()))
        expect(validateTektonDocument(document).issues).toEqual([]);
      await applyRendered(cluster.tekton, rendered);

      const spec = rendered.task.spec as unknown as { volumes: JsonRecord[]; steps: JsonRecord[] };
      const step = spec.steps[0] as { env: JsonRecord[]; volumeMounts: JsonRecord[]; script: string };
      expect(spec.volumes).toContainEqual({ name: 'git-ssh', secret: { secretName: 'deploy-key' } });
      // With a key, the HTTP credentials are optional: a release whose repositories are all SSH needs none.
      expect(spec.volumes).toContainEqual({
        name: 'git-credentials',
        secret: { secretName: 'git-credentials', optional: true },
      });
      expect(step.volumeMounts).toContainEqual({
        name: 'git-ssh',
        mountPath: '/var/secret/ssh',
        readOnly: true,
      });
      expect(step.env).toContainEqual({
        name: 'GIT_SSH_KEY_PASSPHRASE',
        valueFrom: { secretKeyRef: { name: 'deploy-key', key: 'passphrase', optional: true } },
      });
      expect(step.script).toContain('--git-ssh-key-file /var/secret/ssh/ssh-privatekey');
      expect(step.script).toContain('--git-known-hosts-file /var/secret/ssh/known_hosts');
      // The key never reaches the script or an argument as text: only its path does.
      expect(step.script).not.toMatch(/cat [^\n]*ssh/);

      // Without the option nothing of it is rendered, and the HTTP credentials stay required.
      const { gitSshSecretName: _omitted, ...withoutKey } = options;
      const plain = renderReleaseTekton(withoutKey).task.spec as unknown as {
        volumes: JsonRecord[];
        steps: JsonRecord[];
      };
      expect(plain.volumes.map((volume) => volume['name'])).not.toContain('git-ssh');
      expect(plain.volumes).toContainEqual({
        name: 'git-credentials',
        secret: { secretName: 'git-credentials' },
      });
      expect(String(plain.steps[0]?.['script'])).not.toContain('ssh');
    },
  );

  it('the CLI renders it: render tekton --release --git-ssh-secret; without --release it is a usage error', async () => {
    const io = captureIo();
    expect(
      await runCli(['render', 'tekton', '--release', '--standalone', '--git-ssh-secret', 'deploy-key'], io),
    ).toBe(ExitCode.success);
    const [task] = parseAllDocuments(io.out()).map((document) => document.toJS());
    expect(task.spec.volumes).toContainEqual({ name: 'git-ssh', secret: { secretName: 'deploy-key' } });
    const bad = captureIo();
    expect(await runCli(['render', 'tekton', '--git-ssh-secret', 'deploy-key'], bad)).toBe(ExitCode.usage);
    expect(bad.err()).toContain('--git-ssh-secret');
  });

  describe('run in the KubeEmulator against an SSH git server', () => {
    let env: ReleaseEnvironment;
    let ssh: SshGitServer;
    const privateKeys: string[] = [];
    const passphrase = 'tekton key passphrase';
    beforeAll(async () => {
      env = await startReleaseEnvironment({ prodApprovals: 0, prodAutoMerge: true });
      ssh = await SshGitServer.start({ gitServer: env.git });
      // An encrypted key with its passphrase in the Secret, and one without (no passphrase key: the variable stays
      // unset), both authorized by the server.
      const keys: SshTestKey[] = [
        await ssh.createClientKey('ed25519', { passphrase }),
        await ssh.createClientKey('ecdsa'),
      ];
      for (const key of keys) privateKeys.push(await readFile(key.privateKeyFile, 'utf8'));
      // Every deploy repository is SSH (dev scp-like, the others ssh://): no HTTP credentials exist at all.
      const stages = env.stages.map((stage, index) => ({
        ...stage,
        repository: {
          ...stage.repository,
          url: index === 0 ? ssh.scpLikeUrl('deploy') : ssh.repoUrl('deploy'),
        },
      }));
      for (const [name, data] of [
        ['argocd-credentials', { username: 'admin', password: env.argocdPassword }],
        ['gitlab-token', { token: env.gitlab.token }],
        [
          'deploy-key',
          { 'ssh-privatekey': privateKeys[0] as string, known_hosts: `${ssh.knownHosts}\n`, passphrase },
        ],
        [
          'deploy-key-plain',
          { 'ssh-privatekey': privateKeys[1] as string, known_hosts: `${ssh.knownHosts}\n` },
        ],
      ] as const) {
        await cluster.tekton.transport.create(SECRET, NAMESPACE, secret(name, data), anyObject);
      }
      await cluster.tekton.transport.create(
        CONFIG_MAP,
        NAMESPACE,
        configMap('stages.yaml', stringify({ stages }), 'release-stages'),
        anyObject,
      );
      // npx of the released package = the CLI built from this checkout; it lists the flags it was given first.
      scriptReleaseStep(
        cluster.kube,
        'gitops-release',
        npxOfThisVersion(
          `for arg in "$@"; do printf 'arg:%s\\n' "$arg"; done\nexec "${process.execPath}" "${CLI}" "$@"\n`,
        ),
      );
    });
    afterAll(async () => {
      await ssh?.stop();
      await env?.stop();
    });

    it.each([
      [
        'single-step, an encrypted key',
        LAYOUTS[0]?.[1] as RenderReleaseTektonOptions,
        'ssh-t1',
        'deploy-key',
      ],
      [
        'per-stage, a key without passphrase',
        LAYOUTS[1]?.[1] as RenderReleaseTektonOptions,
        'ssh-t2',
        'deploy-key-plain',
      ],
    ] as const)(
      '%s: promotes dev, staging and prod (a merge request) over SSH with the key from the Secret',
      async (_, layout, tag, keySecret) => {
        const rendered = renderReleaseTekton({
          ...layout,
          namespace: NAMESPACE,
          mode: 'standalone',
          stagesConfigMap: 'release-stages',
          gitSshSecretName: keySecret,
        });
        await applyRendered(cluster.tekton, rendered);
        const { outcome, lines } = await runReleasePipeline(
          cluster.tekton,
          env,
          layout.pipelineName as string,
          tag,
          150_000,
        );
        expect(outcome.status, lines.join('\n')).toBe('Succeeded');
        for (const stage of STAGES) expect(await env.tagOf(stage)).toBe(tag);
        const args = lines.filter((line) => line.startsWith('arg:')).map((line) => line.slice(4));
        expect(args[args.indexOf('--git-ssh-key-file') + 1]).toMatch(/\/var\/secret\/ssh\/ssh-privatekey$/);
        expect(args[args.indexOf('--git-known-hosts-file') + 1]).toMatch(/\/var\/secret\/ssh\/known_hosts$/);
        // No git-credentials Secret: no HTTP password is passed (and none is needed).
        expect(args).not.toContain('--git-password-file');
        const text = lines.join('\n');
        for (const secretText of [
          ...privateKeys.map((key) => key.trim().split('\n')[1] as string),
          passphrase,
          env.argocdPassword,
          env.gitlab.token,
        ])
          expect(text).not.toContain(secretText);
      },
    );
  });
});
