import { AuthenticationError, silentLogger } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { SessionManager } from './session-manager.js';

describe('SessionManager', () => {
  it('logs in lazily once for concurrent callers and once more after a 401', async () => {
    const session = new SessionManager({ username: 'admin', password: 'pw-123456' }, silentLogger);
    let logins = 0;
    session.setLoginFunction(async () => {
      logins += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return `token-${logins}-abcdef`;
    });
    const tokens = await Promise.all([1, 2, 3].map(() => session.provide({ forceRefresh: false })));
    expect(new Set(tokens)).toEqual(new Set(['token-1-abcdef']));
    expect(await session.provide({ forceRefresh: true })).toBe('token-2-abcdef');
    expect(logins).toBe(2);
  });

  it('remembers a refused login and never tries again on its own', async () => {
    const session = new SessionManager({ username: 'admin', password: 'wrong-pw-1' }, silentLogger);
    let logins = 0;
    session.setLoginFunction(async () => {
      logins += 1;
      throw new AuthenticationError('refused', { status: 401 });
    });
    await expect(session.provide({ forceRefresh: false })).rejects.toThrow(AuthenticationError);
    await expect(session.provide({ forceRefresh: false })).rejects.toThrow(AuthenticationError);
    await expect(session.provide({ forceRefresh: true })).rejects.toThrow(AuthenticationError);
    expect(logins).toBe(1);
  });

  it('never refreshes a static token', async () => {
    const session = new SessionManager({ token: 'static-token-1' }, silentLogger);
    expect(await session.provide({ forceRefresh: false })).toBe('static-token-1');
    await expect(session.provide({ forceRefresh: true })).rejects.toThrow(/static token/);
  });
});
