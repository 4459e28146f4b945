import { describe, expect, it } from 'vitest';
import { SessionManager } from './sessions.js';

function manager(projectTokenValid: () => boolean = () => true) {
  const sessions = new SessionManager({
    sessionDurationMs: 60_000,
    renewBeforeExpiryMs: 10_000,
    maxLoginFailures: 2,
    loginFailureWindowMs: 1_000,
    isProjectTokenValid: () => projectTokenValid(),
  });
  sessions.setAccount('admin', 'pw');
  return sessions;
}

describe('SessionManager', () => {
  it('issues login tokens that expire, and renews them inside the renewal window', () => {
    const sessions = manager();
    const token = sessions.login('admin', 'pw', 1_000_000);
    expect(sessions.verify(token, 1_000_000)).toEqual({
      principal: expect.objectContaining({ username: 'admin', capability: 'login' }),
    });
    const late = sessions.verify(token, 1_055_000);
    expect(late.renewedToken).toBeDefined();
    expect(() => sessions.verify(token, 1_061_000)).toThrow('token is expired');
  });

  it('locks an account after the failure budget, even for the right password, until the window passes', () => {
    const sessions = manager();
    expect(() => sessions.login('admin', 'x', 0)).toThrow('Invalid username or password');
    expect(() => sessions.login('admin', 'x', 10)).toThrow('Invalid username or password');
    expect(() => sessions.login('admin', 'pw', 20)).toThrow('Invalid username or password');
    expect(sessions.login('admin', 'pw', 5_000)).toContain('.');
    expect(sessions.loginRequestCount).toBe(4);
  });

  it('rejects tampered, revoked and force-expired tokens; project tokens follow their project', () => {
    let roleTokenRecorded = true;
    const sessions = manager(() => roleTokenRecorded);
    const token = sessions.login('admin', 'pw', 0);
    expect(() => sessions.verify(`${token}x`, 0)).toThrow('signature is invalid');
    sessions.revokeToken(token);
    expect(() => sessions.verify(token, 0)).toThrow('token is revoked');
    const second = sessions.login('admin', 'pw', 0);
    sessions.expireAllTokens();
    expect(() => sessions.verify(second, 0)).toThrow('token is expired');
    expect(sessions.verify(sessions.login('admin', 'pw', 0), 0).principal.username).toBe('admin');
    const roleToken = sessions.issue('proj:team:ci', 0, 0);
    expect(sessions.verify(roleToken, 10 ** 12).principal).toMatchObject({
      capability: 'project',
      project: 'team',
      role: 'ci',
    });
    roleTokenRecorded = false;
    expect(() => sessions.verify(roleToken, 0)).toThrow('token is revoked');
  });
});
