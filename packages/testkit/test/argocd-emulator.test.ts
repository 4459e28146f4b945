import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgoCDEmulator } from '../src/argocd/index.js';
import { application, call, eventually, login } from './argocd-test-helpers.js';

const REPO = 'https://git.example.invalid/org/deploy.git';

describe('ArgoCDEmulator wire format', () => {
  let emulator: ArgoCDEmulator;
  let token: string;

  beforeAll(async () => {
    emulator = await ArgoCDEmulator.start({ reconciliationIntervalMs: 0 });
    emulator.seedRepositoryCommit(REPO, {
      files: { 'helm/my-values.yaml': 'image:\n  repository: ghcr.io/org/web\n  tag: v1\n' },
    });
    token = await login(emulator);
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('logs in with a JWT-shaped token, sets the argocd.token cookie and reports userinfo', async () => {
    const response = await call(emulator, 'POST', '/api/v1/session', {
      body: { username: 'admin', password: 'password' },
    });
    expect(response.status).toBe(200);
    const issued = (response.json as { token: string }).token;
    expect(issued.split('.')).toHaveLength(3);
    expect(response.headers.get('set-cookie')).toContain(`argocd.token=${issued}`);
    const claims = JSON.parse(Buffer.from(issued.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(claims.sub).toBe('admin:login');
    expect(Number(claims.exp) - Number(claims.iat)).toBe(24 * 60 * 60);
    expect((await call(emulator, 'GET', '/api/v1/session/userinfo', { token: issued })).json).toEqual({
      loggedIn: true,
      username: 'admin',
      iss: 'argocd',
      groups: [],
    });
    expect((await call(emulator, 'GET', '/api/v1/session/userinfo')).json).toEqual({ loggedIn: false });
  });

  it('rejects bad credentials with 401 Unauthenticated and a grpc-gateway body', async () => {
    const response = await call(emulator, 'POST', '/api/v1/session', {
      body: { username: 'admin', password: 'nope' },
    });
    expect(response.status).toBe(401);
    expect(response.json).toEqual({
      error: 'Invalid username or password',
      code: 16,
      message: 'Invalid username or password',
      details: [],
    });
  });

  it('answers 415 in plain text for a non-GET without a JSON content type, DELETE included', async () => {
    for (const method of ['POST', 'DELETE']) {
      const response = await call(emulator, method, '/api/v1/session', {
        headers: { 'Content-Type': 'text/plain' },
      });
      expect(response.status).toBe(415);
      expect(response.headers.get('content-type')).toContain('text/plain');
      expect(response.text.trim()).toBe('Invalid content type');
    }
  });

  it('requires a session on API routes and answers version/settings anonymously with less detail', async () => {
    const anonymous = await call(emulator, 'GET', '/api/v1/applications');
    expect(anonymous.status).toBe(401);
    expect((anonymous.json as { message: string }).message).toBe('no session information');
    expect((await call(emulator, 'GET', '/api/version')).json).toEqual({ Version: 'v3.5.1+emulator' });
    expect((await call(emulator, 'GET', '/api/version', { token })).json).toHaveProperty('HelmVersion');
    expect((await call(emulator, 'GET', '/api/v1/settings')).json).not.toHaveProperty('resourceOverrides');
    expect((await call(emulator, 'GET', '/api/v1/settings', { token })).json).toHaveProperty(
      'resourceOverrides',
    );
  });

  it('answers 403 permission denied for a missing app, 404 when the project is named', async () => {
    const hidden = await call(emulator, 'GET', '/api/v1/applications/ghost', { token });
    expect(hidden.status).toBe(403);
    expect(hidden.json).toMatchObject({ code: 7, message: 'permission denied' });
    const missing = await call(emulator, 'GET', '/api/v1/applications/ghost?project=default', { token });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ code: 5, message: 'applications.argoproj.io "ghost" not found' });
  });

  it('creates apps idempotently, refuses a different spec without upsert and accepts it with upsert', async () => {
    const body = application('web', REPO);
    const created = await call(emulator, 'POST', '/api/v1/applications', { token, body });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ metadata: { name: 'web', namespace: 'argocd' }, spec: body.spec });
    expect((await call(emulator, 'POST', '/api/v1/applications', { token, body })).status).toBe(200);
    const changed = {
      ...body,
      spec: { ...body.spec, source: { ...body.spec.source, targetRevision: 'v2' } },
    };
    const refused = await call(emulator, 'POST', '/api/v1/applications', { token, body: changed });
    expect(refused.status).toBe(400);
    expect((refused.json as { message: string }).message).toBe(
      'existing application spec is different, use upsert flag to force update',
    );
    const upserted = await call(emulator, 'POST', '/api/v1/applications?upsert=true', {
      token,
      body: changed,
    });
    expect(
      (upserted.json as { spec: { source: { targetRevision: string } } }).spec.source.targetRevision,
    ).toBe('v2');
    await call(emulator, 'POST', '/api/v1/applications?upsert=true', { token, body });
  });

  it('rejects bodies that do not match the swagger: unknown fields and syncOptions as an array', async () => {
    const unknown = await call(emulator, 'POST', '/api/v1/applications/web/sync', {
      token,
      body: { prunne: true },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toMatchObject({ code: 3, message: 'json: unknown field "prunne"' });
    const arrayOptions = await call(emulator, 'POST', '/api/v1/applications/web/sync', {
      token,
      body: { syncOptions: ['Prune=true'] },
    });
    expect(arrayOptions.status).toBe(400);
    expect((arrayOptions.json as { message: string }).message).toContain(
      'cannot unmarshal array into Go struct field ApplicationSyncRequest.syncOptions',
    );
  });

  it('lists with selector, projects and a fields projection', async () => {
    const all = await call(
      emulator,
      'GET',
      '/api/v1/applications?selector=team%3Dpayments&projects=default',
      { token },
    );
    expect(
      (all.json as { items: Array<{ metadata: { name: string } }> }).items.map((app) => app.metadata.name),
    ).toEqual(['web']);
    expect(
      (
        (await call(emulator, 'GET', '/api/v1/applications?selector=team%3Dother', { token })).json as {
          items: unknown[];
        }
      ).items,
    ).toEqual([]);
    const projected = await call(
      emulator,
      'GET',
      '/api/v1/applications?fields=items.metadata.name,items.spec.project',
      { token },
    );
    expect(projected.json).toEqual({ items: [{ metadata: { name: 'web' }, spec: { project: 'default' } }] });
  });

  it('updates the spec, patches (json and merge) and ignores resourceVersion on apps (last writer wins)', async () => {
    const spec = (emulator.getApplication('web')?.spec ?? {}) as Record<string, unknown>;
    const updated = await call(emulator, 'PUT', '/api/v1/applications/web/spec', {
      token,
      body: { ...spec, revisionHistoryLimit: 5 },
    });
    expect(updated.json).toMatchObject({ revisionHistoryLimit: 5 });
    const jsonPatch = [
      { op: 'add', path: '/spec/source/helm/parameters', value: [{ name: 'image.tag', value: 'v9' }] },
    ];
    const patched = await call(emulator, 'PATCH', '/api/v1/applications/web', {
      token,
      body: { patch: JSON.stringify(jsonPatch), patchType: 'json' },
    });
    expect(patched.status).toBe(200);
    expect(emulator.getApplication('web')?.spec.source?.helm?.parameters).toEqual([
      { name: 'image.tag', value: 'v9' },
    ]);
    const merge = await call(emulator, 'PATCH', '/api/v1/applications/web', {
      token,
      body: { patch: JSON.stringify({ metadata: { labels: { tier: 'web' } } }), patchType: 'merge' },
    });
    expect((merge.json as { metadata: { labels: Record<string, string> } }).metadata.labels).toEqual({
      team: 'payments',
      tier: 'web',
    });
    const badType = await call(emulator, 'PATCH', '/api/v1/applications/web', {
      token,
      body: { patch: '{}', patchType: 'strategic' },
    });
    expect((badType.json as { message: string }).message).toBe("Patch type 'strategic' is not supported");
    const app = emulator.getApplication('web');
    const stale = await call(emulator, 'PUT', '/api/v1/applications/web', {
      token,
      body: { ...app, metadata: { ...app?.metadata, resourceVersion: '1' }, status: undefined },
    });
    expect(stale.status).toBe(200);
  });

  it('runs repository CRUD with percent-encoded URLs and strips secrets', async () => {
    const created = await call(emulator, 'POST', '/api/v1/repositories', {
      token,
      body: { repo: REPO, username: 'ci', password: 's3cret-canary' },
    });
    expect(created.json).toEqual({ repo: REPO, type: 'git' });
    const fetched = await call(emulator, 'GET', `/api/v1/repositories/${encodeURIComponent(REPO)}`, {
      token,
    });
    expect(fetched.json).toMatchObject({
      repo: REPO,
      username: 'ci',
      connectionState: { status: 'Successful' },
    });
    expect(fetched.text).not.toContain('s3cret-canary');
    const different = await call(emulator, 'POST', '/api/v1/repositories', {
      token,
      body: { repo: REPO, username: 'other' },
    });
    expect(different.status).toBe(400);
    expect(
      (
        await call(emulator, 'POST', '/api/v1/repositories?upsert=true', {
          token,
          body: { repo: REPO, username: 'other' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(emulator, 'POST', `/api/v1/repositories/${encodeURIComponent(REPO)}/validate`, {
          token,
          body: REPO,
        })
      ).status,
    ).toBe(200);
    expect((await call(emulator, 'GET', `/api/v1/repositories/${REPO}`, { token })).status).toBe(404);
    expect(
      (await call(emulator, 'DELETE', `/api/v1/repositories/${encodeURIComponent(REPO)}`, { token })).status,
    ).toBe(200);
    expect(
      ((await call(emulator, 'GET', '/api/v1/repositories', { token })).json as { items: unknown[] }).items,
    ).toEqual([]);
  });

  it('enforces project resourceVersion (409 Aborted) and issues/revokes role tokens', async () => {
    const project = {
      metadata: { name: 'team' },
      spec: {
        sourceRepos: ['*'],
        destinations: [{ server: '*', namespace: '*' }],
        roles: [{ name: 'ci', policies: [] }],
      },
    };
    const created = await call(emulator, 'POST', '/api/v1/projects', { token, body: { project } });
    const resourceVersion = (created.json as { metadata: { resourceVersion: string } }).metadata
      .resourceVersion;
    const ok = await call(emulator, 'PUT', '/api/v1/projects/team', {
      token,
      body: {
        project: {
          ...project,
          metadata: { name: 'team', resourceVersion },
          spec: { ...project.spec, description: 'x' },
        },
      },
    });
    expect(ok.status).toBe(200);
    const stale = await call(emulator, 'PUT', '/api/v1/projects/team', {
      token,
      body: { project: { ...project, metadata: { name: 'team', resourceVersion } } },
    });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ code: 10 });
    expect(
      (
        await call(emulator, 'POST', '/api/v1/projects', {
          token,
          body: { project: { ...project, spec: { sourceRepos: [] } } },
        })
      ).status,
    ).toBe(400);

    const roleToken = (
      (
        await call(emulator, 'POST', '/api/v1/projects/team/roles/ci/token', {
          token,
          body: { expiresIn: 3600 },
        })
      ).json as { token: string }
    ).token;
    emulator.seedApplication(application('team-app', REPO, { project: 'team' }));
    expect((await call(emulator, 'GET', '/api/v1/applications/team-app', { token: roleToken })).status).toBe(
      200,
    );
    expect((await call(emulator, 'GET', '/api/v1/applications/web', { token: roleToken })).status).toBe(403);
    const listed = await call(emulator, 'GET', '/api/v1/applications', { token: roleToken });
    expect(
      (listed.json as { items: Array<{ metadata: { name: string } }> }).items.map((a) => a.metadata.name),
    ).toEqual(['team-app']);
    const iat = emulator.getProject('team')?.status?.jwtTokensByRole?.ci?.items?.[0]?.iat;
    expect(
      (await call(emulator, 'DELETE', `/api/v1/projects/team/roles/ci/token/${iat}`, { token })).status,
    ).toBe(200);
    const revoked = await call(emulator, 'GET', '/api/v1/applications/team-app', { token: roleToken });
    expect(revoked.status).toBe(401);
    const inUse = await call(emulator, 'DELETE', '/api/v1/projects/team', { token });
    expect((inUse.json as { message: string }).message).toBe('project is referenced by 1 applications');
  });

  it('expires session tokens and renews them near expiry via Grpc-Metadata-Renew-Token and Set-Cookie', async () => {
    const shortLived = await ArgoCDEmulator.start({
      sessionDurationMs: 4_000,
      renewBeforeExpiryMs: 60_000,
      reconciliationIntervalMs: 0,
    });
    try {
      const issued = await login(shortLived);
      const response = await call(shortLived, 'GET', '/api/v1/applications', { token: issued });
      const renewed = response.headers.get('grpc-metadata-renew-token');
      expect(renewed).toBeTruthy();
      expect(renewed).not.toBe(issued);
      expect(response.headers.get('set-cookie')).toContain(`argocd.token=${renewed}`);
      shortLived.expireTokens();
      const expired = await call(shortLived, 'GET', '/api/v1/applications', { token: issued });
      expect(expired.status).toBe(401);
      expect((expired.json as { message: string }).message).toBe(
        'invalid session: token has invalid claims: token is expired',
      );
      const cookieAuth = await call(shortLived, 'GET', '/api/v1/applications', {
        headers: { Cookie: `argocd.token=${await login(shortLived)}` },
      });
      expect(cookieAuth.status).toBe(200);
    } finally {
      await shortLived.stop();
    }
  });

  it('refuses even correct logins after five failures inside the window', async () => {
    shortCircuitAccount(emulator);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect(
        (await call(emulator, 'POST', '/api/v1/session', { body: { username: 'bot', password: 'wrong' } }))
          .status,
      ).toBe(401);
    }
    expect(
      (await call(emulator, 'POST', '/api/v1/session', { body: { username: 'bot', password: 'right' } }))
        .status,
    ).toBe(401);
  });

  it('deletes with cascade (finalizer, then DELETED) and rejects propagation without cascade', async () => {
    emulator.seedApplication(application('doomed', REPO));
    const bad = await call(
      emulator,
      'DELETE',
      '/api/v1/applications/doomed?cascade=false&propagationPolicy=foreground',
      { token },
    );
    expect((bad.json as { message: string }).message).toBe(
      'cannot set propagation policy when cascading is disabled',
    );
    expect(
      (
        await call(
          emulator,
          'DELETE',
          '/api/v1/applications/doomed?cascade=true&propagationPolicy=foreground',
          { token },
        )
      ).status,
    ).toBe(200);
    await eventually(() => emulator.getApplication('doomed') === undefined, 2_000, 'deletion');
  });
});

function shortCircuitAccount(emulator: ArgoCDEmulator): void {
  emulator.setAccount('bot', 'right');
}
