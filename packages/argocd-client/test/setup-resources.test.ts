import { AuthenticationError, silentLogger, ValidationError } from '@gitops-kit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArgoCDApiError, ArgoCDClient } from '../src/index.js';
import { type Fixture, REPO_URL, recordingLogger, startFixture } from './helpers.js';

describe('session, version, settings, repositories and projects', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await startFixture();
  });
  afterEach(async () => {
    await fixture.close();
  });

  it('logs in, reports the user and logs out', async () => {
    const { client } = fixture;
    await client.session.login();
    expect(await client.session.userInfo()).toMatchObject({ loggedIn: true, username: 'admin' });
    await client.session.logout();
    const anonymous = new ArgoCDClient({ server: fixture.emulator.url, logger: silentLogger });
    try {
      expect((await anonymous.session.userInfo()).loggedIn).toBe(false);
      const refused = await anonymous.session
        .login({ username: 'admin', password: 'wrong-password' })
        .catch((e: unknown) => e);
      expect(AuthenticationError.isInstance(refused)).toBe(true);
    } finally {
      await anonymous.close();
    }
  });

  it('reads the version and settings (anonymous and logged in)', async () => {
    const anonymous = new ArgoCDClient({ server: fixture.emulator.url, logger: silentLogger });
    try {
      expect((await anonymous.version()).Version).toMatch(/^v3\./);
      expect(await anonymous.settings()).toBeTypeOf('object');
    } finally {
      await anonymous.close();
    }
    const version = await fixture.client.version();
    expect(version.Version).toMatch(/^v3\./);
    expect(await fixture.client.settings()).toBeTypeOf('object');
  });

  it('manages repositories by URL (encoded path parameters) without leaking credentials', async () => {
    const logger = recordingLogger();
    const client = new ArgoCDClient({
      server: fixture.emulator.url,
      auth: { username: 'admin', password: fixture.password },
      logger,
    });
    const repoPassword = `repo-secret-${Date.now()}`;
    try {
      const created = await client.repositories.create({
        repo: REPO_URL,
        type: 'git',
        username: 'ci',
        password: repoPassword,
        project: 'default',
      });
      expect(created.repo).toBe(REPO_URL);
      await client.repositories.create(
        {
          repo: REPO_URL,
          type: 'git',
          username: 'ci',
          password: repoPassword,
          project: 'default',
          insecure: true,
        },
        { upsert: true },
      );
      expect((await client.repositories.list()).map((repo) => repo.repo)).toContain(REPO_URL);
      const read = await client.repositories.get(REPO_URL);
      expect(read.repo).toBe(REPO_URL);
      expect(JSON.stringify(read)).not.toContain(repoPassword);
      await client.repositories.update({ repo: REPO_URL, type: 'git', name: 'deploy', project: 'default' });
      await client.repositories.validateAccess(REPO_URL, { username: 'ci', password: repoPassword });
      await client.repositories.delete(REPO_URL);
      const missing = await client.repositories.get(REPO_URL).catch((e: unknown) => e);
      expect(ArgoCDApiError.isInstance(missing) && missing.isNotFound()).toBe(true);
      expect(
        fixture.emulator.requests.some((request) => request.path.includes(encodeURIComponent(REPO_URL))),
      ).toBe(true);
      expect(logger.lines.join('\n')).not.toContain(repoPassword);
      expect(`${(missing as Error).message}${JSON.stringify(missing)}`).not.toContain(repoPassword);
    } finally {
      await client.close();
    }
  });

  it('manages projects with resourceVersion checks and role tokens', async () => {
    const { client } = fixture;
    const spec = {
      sourceRepos: [REPO_URL],
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: '*' }],
      roles: [{ name: 'ci', policies: ['p, proj:team-a:ci, applications, get, team-a/*, allow'] }],
    };
    const created = await client.projects.create({ metadata: { name: 'team-a' }, spec });
    expect(created.metadata.name).toBe('team-a');
    await client.projects.create(
      { metadata: { name: 'team-a' }, spec: { ...spec, description: 'x' } },
      { upsert: true },
    );
    const current = await client.projects.get('team-a');
    const updated = await client.projects.update({
      ...current,
      spec: { ...current.spec, description: 'updated' },
    });
    expect((updated.spec as { description?: string }).description).toBe('updated');
    const stale = await client.projects
      .update({ ...current, spec: { ...current.spec, description: 'stale' } })
      .catch((e: unknown) => e);
    expect(ArgoCDApiError.isInstance(stale) && stale.isConflict()).toBe(true);
    await expect(
      client.projects.update({ metadata: { name: 'team-a' }, spec } as never),
    ).rejects.toBeInstanceOf(ValidationError);

    const { token } = await client.projects.createRoleToken('team-a', 'ci', {
      expiresInSeconds: 3600,
      description: 'ci',
    });
    const roleClient = client.withAuth({ token });
    try {
      expect((await roleClient.session.userInfo()).loggedIn).toBe(true);
    } finally {
      await roleClient.close();
    }
    const withTokens = await client.projects.get('team-a');
    const issued =
      (withTokens.status as { jwtTokensByRole?: Record<string, { items?: Array<{ iat: number }> }> })
        ?.jwtTokensByRole?.ci?.items ?? [];
    expect(issued.length).toBe(1);
    await client.projects.deleteRoleToken('team-a', 'ci', issued[0]?.iat ?? 0);
    await client.projects.delete('team-a');
    const gone = await client.projects.get('team-a').catch((e: unknown) => e);
    expect(ArgoCDApiError.isInstance(gone) && gone.isNotFound()).toBe(true);
  });
});
