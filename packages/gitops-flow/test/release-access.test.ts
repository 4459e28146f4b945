import { ValidationError } from '@gitops-kit/core';
import { SshGitServer, type SshTestKey } from '@gitops-kit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { promoteRelease, type ReleaseStageDefinition, releaseStatus } from '../src/index.js';
import { type ReleaseEnvironment, startReleaseEnvironment } from './release-environment.js';

// How a release reaches its deploy repositories: status with a credential that may only read, and every stage
// (pushes, the change request's review branch, the reads) over SSH.
let env: ReleaseEnvironment | undefined;
let ssh: SshGitServer | undefined;
afterEach(async () => {
  await ssh?.stop();
  await env?.stop();
  ssh = undefined;
  env = undefined;
});

describe('release git access', { timeout: 120_000 }, () => {
  it('releaseStatus works with a credential that may not push (only git-upload-pack is asked for)', async () => {
    // http-backend refuses every push here (HTTP 403), as a GitLab deploy token with read_repository would.
    env = await startReleaseEnvironment({ gitServer: { allowPush: false } });
    env.git.resetRequests();
    const statuses = await releaseStatus({
      stages: env.stages,
      argocd: env.client,
      gitAuth: { username: 'deployer', password: env.gitPassword },
      forges: { gitlab: env.forge },
      values: { 'image.tag': '1.0.0' },
    });
    expect(statuses.map((status) => [status.name, status.values['image.tag'], status.atRelease])).toEqual([
      ['dev', '1.0.0', true],
      ['staging', '1.0.0', true],
      ['prod', '1.0.0', true],
    ]);
    expect(statuses.flatMap((status) => status.errors)).toEqual([]);
    expect(statuses[0]?.branchHead).toBe(await env.git.headOf('deploy', 'main'));
    expect(env.git.countRequests({ service: 'git-receive-pack' })).toBe(0);
  });

  it('promotes every stage of an SSH deploy repository (push and change request) and reads its status over SSH', async () => {
    env = await startReleaseEnvironment({ prodApprovals: 0, prodAutoMerge: true });
    ssh = await SshGitServer.start({ gitServer: env.git });
    const key: SshTestKey = await ssh.createClientKey('ed25519');
    const url = ssh.repoUrl('deploy');
    const stages: ReleaseStageDefinition[] = env.stages.map((stage) => ({
      ...stage,
      repository: { ...stage.repository, url },
    }));
    const gitSsh = { privateKey: key.privateKey, knownHosts: ssh.knownHosts };
    env.git.resetRequests();
    const report = await promoteRelease({
      values: { 'image.tag': 'ssh-r1' },
      stages,
      argocd: env.client,
      // HTTP credentials are for http(s) repositories: an SSH one never gets them (write-back would refuse both).
      gitAuth: { username: 'deployer', password: env.gitPassword },
      gitSsh,
      forges: { gitlab: env.forge },
      mergePollIntervalMs: 20,
      verify: () => true,
    });
    expect(report.outcome).toBe('succeeded');
    expect(report.stages.map((stage) => stage.outcome)).toEqual(['promoted', 'promoted', 'promoted']);
    expect(report.stages[2]?.reviewBranch?.name).toBe(`release/${report.releaseId}/prod`);
    for (const stage of ['dev', 'staging', 'prod']) expect(await env.tagOf(stage)).toBe('ssh-r1');
    // Every write went over SSH: nothing was pushed over HTTP.
    expect(env.git.countRequests({ service: 'git-receive-pack' })).toBe(0);
    const commands = await ssh.commands();
    expect(
      commands.filter((record) => record.command.startsWith('git-receive-pack ')).length,
    ).toBeGreaterThan(2);

    const before = commands.length;
    const statuses = await releaseStatus({
      stages,
      argocd: env.client,
      gitSsh,
      forges: { gitlab: env.forge },
      values: { 'image.tag': 'ssh-r1' },
    });
    expect(statuses.map((status) => status.atRelease)).toEqual([true, true, true]);
    expect(statuses.flatMap((status) => status.errors)).toEqual([]);
    const reads = (await ssh.commands()).slice(before);
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((record) => record.command.startsWith('git-upload-pack '))).toBe(true);

    // A single-stage run checks the earlier stages in git over SSH too, with the same key.
    const prodOnly = await promoteRelease({
      values: { 'image.tag': 'ssh-r1' },
      stages,
      onlyStage: 'prod',
      argocd: env.client,
      gitSsh,
      forges: { gitlab: env.forge },
      mergePollIntervalMs: 20,
    });
    expect(prodOnly.outcome).toBe('succeeded');
    expect(prodOnly.stages.map((stage) => stage.outcome)).toEqual(['verified', 'verified', 'verified']);
  });

  it('an SSH stage without a key is refused before any stage runs; gitSshByUrl gives one repository its key', async () => {
    env = await startReleaseEnvironment();
    ssh = await SshGitServer.start({ gitServer: env.git });
    const key = await ssh.createClientKey('ed25519');
    const stranger = await ssh.createClientKey('ed25519', { authorize: false });
    const head = await env.git.headOf('deploy', 'main');
    // dev over HTTP, staging over SSH: a key missing for staging must not let dev be promoted first.
    const stages = env.stages.slice(0, 2).map((stage, index) => ({
      ...stage,
      repository: { ...stage.repository, url: index === 0 ? env?.repoUrl : ssh?.scpLikeUrl('deploy') },
    })) as ReleaseStageDefinition[];
    const base = {
      values: { 'image.tag': 'ssh-r2' },
      stages,
      argocd: env.client,
      gitAuth: { username: 'deployer', password: env.gitPassword },
    };
    const error = await promoteRelease(base).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe(
      "stage staging's repository is an SSH remote: give its key in gitSsh (or gitSshByUrl)",
    );
    expect(await env.git.headOf('deploy', 'main')).toBe(head);

    // The per-URL key wins over the default one (which the server does not know).
    const report = await promoteRelease({
      ...base,
      gitSsh: { privateKey: stranger.privateKey, knownHosts: ssh.knownHosts },
      gitSshByUrl: { [ssh.scpLikeUrl('deploy')]: { privateKey: key.privateKey, knownHosts: ssh.knownHosts } },
    });
    expect(report.outcome).toBe('succeeded');
    expect(await env.tagOf('staging')).toBe('ssh-r2');
  });
});
