import { describe, expect, it } from 'vitest';
import { classifyGitRequest, locateHttpBackend } from './http-backend.js';

const classify = (method: string, target: string) => {
  const url = new URL(target, 'http://127.0.0.1');
  return classifyGitRequest(method, url.pathname, url.searchParams, {});
};

describe('classifyGitRequest', () => {
  it('recognises advertisements and RPCs for both services', () => {
    expect(classify('GET', '/deploy.git/info/refs?service=git-upload-pack')).toMatchObject({
      repo: 'deploy',
      service: 'git-upload-pack',
      phase: 'advertisement',
    });
    expect(classify('POST', '/org/deploy.git/git-receive-pack')).toMatchObject({
      repo: 'org/deploy',
      service: 'git-receive-pack',
      phase: 'rpc',
    });
  });

  it('leaves other paths unclassified', () => {
    expect(classify('GET', '/deploy.git/info/refs')).toMatchObject({ repo: 'deploy', service: undefined });
    expect(classify('GET', '/deploy/info/refs?service=git-upload-pack')).toMatchObject({ repo: undefined });
    const query = new URLSearchParams('service=git-upload-pack');
    expect(classifyGitRequest('GET', '/a/../x.git/info/refs', query, {}).repo).toBeUndefined();
    expect(classifyGitRequest('GET', '/a%2F..%2Fx.git/info/refs', query, {}).repo).toBeUndefined();
  });
});

describe('locateHttpBackend', () => {
  it("runs git's http-backend program directly, and falls back to the git wrapper when it cannot be found", async () => {
    const [program, ...args] = await locateHttpBackend('git');
    expect(program).toMatch(/git-http-backend$/);
    expect(args).toEqual([]);
    expect(await locateHttpBackend('/nonexistent/git')).toEqual(['/nonexistent/git', 'http-backend']);
  });
});
