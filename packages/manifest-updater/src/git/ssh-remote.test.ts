import { userInfo } from 'node:os';
import { ValidationError } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { isSshRemote, parseSshRemote, shellQuote } from './ssh-remote.js';

describe('SSH remotes', () => {
  it('tells SSH remotes from HTTP URLs and local paths as git does', () => {
    expect(isSshRemote('git@gitlab.example.com:team/deploy.git')).toBe(true);
    expect(isSshRemote('gitlab.example.com:team/deploy.git')).toBe(true);
    expect(isSshRemote('ssh://git@host:2222/team/deploy.git')).toBe(true);
    expect(isSshRemote('git+ssh://git@host/team/deploy.git')).toBe(true);
    expect(isSshRemote('https://host/team/deploy.git')).toBe(false);
    expect(isSshRemote('./team:deploy')).toBe(false);
    expect(isSshRemote('/srv/git/deploy.git')).toBe(false);
    expect(isSshRemote('C:\\repos\\deploy')).toBe(false);
  });

  it('parses ssh:// with user, port and path; /~ is home-relative', () => {
    expect(parseSshRemote('ssh://git@git.example.com:2222/team/deploy.git')).toEqual({
      host: 'git.example.com',
      port: 2222,
      username: 'git',
      path: '/team/deploy.git',
      display: 'ssh://git.example.com:2222/team/deploy.git',
    });
    expect(parseSshRemote('ssh://git@[::1]/~bot/deploy.git')).toMatchObject({
      host: '::1',
      port: 22,
      path: '~bot/deploy.git',
    });
  });

  it('parses scp-like forms: relative path, default user, and [user@host:port]:path', () => {
    expect(parseSshRemote('git@gitlab.example.com:team/deploy.git')).toMatchObject({
      host: 'gitlab.example.com',
      port: 22,
      username: 'git',
      path: 'team/deploy.git',
      display: 'ssh://gitlab.example.com/team/deploy.git',
    });
    expect(parseSshRemote('gitlab.example.com:deploy.git').username).toBe(userInfo().username);
    expect(parseSshRemote('[git@127.0.0.1:2222]:/srv/deploy.git')).toMatchObject({
      host: '127.0.0.1',
      port: 2222,
      username: 'git',
      path: '/srv/deploy.git',
    });
  });

  it('refuses passwords, bad ports, empty paths and control characters without echoing the URL', () => {
    const secret = 'hunter2-canary';
    for (const url of [
      `ssh://git:${secret}@host/deploy.git`,
      'ssh://git@host:99999/deploy.git',
      'git@host:',
      'ssh://git@host/',
      'git@host:team/de\nploy.git',
      'git@-oProxyCommand=x:deploy.git',
      // A mistyped http URL that git's scp-like rule reads as host "ht!tp" with the password in the path.
      `ht!tp://deployer:${secret}@[bad`,
      `git@host!name:${secret}.git`,
    ]) {
      const error = (() => {
        try {
          parseSshRemote(url);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(ValidationError.isInstance(error), url).toBe(true);
      expect((error as Error).message).not.toContain(secret);
    }
  });

  it("quotes the path as git's sq_quote does", () => {
    expect(shellQuote('team/deploy.git')).toBe("'team/deploy.git'");
    expect(shellQuote("it's!")).toBe("'it'\\''s'\\!''");
  });
});
