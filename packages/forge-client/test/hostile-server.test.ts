import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { ResponseValidationError, ValidationError } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForgeApiError, GitHubClient, GitLabClient } from '../src/index.js';

// A forge that answers what an attacker (or a broken proxy) would: scripted per test, counted per request.
const TOKEN = 'glpat-hostile-server-token-4711';
let server: Server;
let url = '';
let requests = 0;
let answer: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) =>
  response.end();

beforeAll(async () => {
  server = createServer((request, response) => {
    requests += 1;
    answer(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function json(response: ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(200, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

function leaks(error: unknown, secret: string): boolean {
  return `${inspect(error, { depth: 10 })}${JSON.stringify(error)}${String((error as Error).stack)}`.includes(
    secret,
  );
}

describe('a hostile forge', () => {
  it('a next-page link that points back to itself fails after one read instead of 1 000', async () => {
    answer = (request, response) => json(response, [], { link: `<${url}${request.url}>; rel="next"` });
    requests = 0;
    const client = new GitLabClient({ url, token: TOKEN, retry: false });
    const error = await failure(client.changeRequests.list({ project: 'team/deploy' }));
    await client.close();
    expect(ForgeApiError.isInstance(error)).toBe(true);
    expect((error as ForgeApiError).code).toBe('FORGE_UNEXPECTED_RESPONSE');
    expect((error as Error).message).toMatch(/points back to a page already read/);
    expect(requests).toBe(1);
  });

  it('a next-page link to another origin is not followed and the partial list is not returned as whole', async () => {
    const port = (server.address() as AddressInfo).port;
    answer = (request, response) => {
      if (request.url?.includes('page=2')) return json(response, []);
      json(response, [], { link: `<http://localhost:${port}/repos/a/b/pulls?page=2>; rel="next"` });
    };
    requests = 0;
    const client = new GitHubClient({ url, token: TOKEN, retry: false });
    const error = await failure(client.changeRequests.list({ project: 'a/b', state: 'all' }));
    await client.close();
    expect((error as ForgeApiError).code).toBe('FORGE_UNEXPECTED_RESPONSE');
    expect((error as Error).message).toMatch(/outside the forge API/);
    expect(requests).toBe(1);
  });

  it('a list item of the wrong shape is a ResponseValidationError that quotes no value', async () => {
    answer = (request, response) => json(response, [{ iid: 'x', echoed: request.headers.authorization }]);
    const client = new GitLabClient({ url, token: TOKEN, retry: false });
    const error = await failure(client.changeRequests.list({ project: 'team/deploy' }));
    await client.close();
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as Error).message).toMatch(/item 0/);
    expect(leaks(error, TOKEN)).toBe(false);
  });
});

describe('hostile input', () => {
  it('a url that does not parse is a ValidationError that carries no password', () => {
    for (const Client of [GitLabClient, GitHubClient]) {
      let error: unknown;
      try {
        new Client({ url: 'ht!tp://admin:url-password-0815@[bad', token: TOKEN });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect(leaks(error, 'url-password-0815')).toBe(false);
    }
  });

  it('waitForMerge refuses a timeout or poll interval that would never end or never pause', async () => {
    answer = (_request, response) => response.end();
    requests = 0;
    const client = new GitLabClient({ url, token: TOKEN, retry: false });
    const ref = { project: 'team/deploy', number: 1 };
    for (const options of [{ timeoutMs: Number.NaN }, { pollIntervalMs: 0 }, { pollIntervalMs: -5 }]) {
      const error = await failure(client.changeRequests.waitForMerge(ref, options));
      expect(error).toBeInstanceOf(ValidationError);
    }
    await client.close();
    expect(requests).toBe(0);
  });

  it('a GitHub merge that waits for the checks looks at them every checksPollIntervalMs', async () => {
    let statusReads = 0;
    answer = (request, response) => {
      if (request.url?.startsWith('/repos/a/b/pulls/1')) {
        return json(response, {
          number: 1,
          title: 't',
          body: null,
          state: 'open',
          draft: false,
          merged: false,
          mergeable: true,
          mergeable_state: 'blocked',
          merge_commit_sha: null,
          head: { ref: 'release', sha: 'a'.repeat(40) },
          base: { ref: 'main', sha: 'b'.repeat(40) },
          labels: [],
          html_url: 'http://x/1',
        });
      }
      if (request.url?.includes('/check-runs')) return json(response, { total_count: 0, check_runs: [] });
      statusReads += 1;
      json(response, { state: 'pending', total_count: 1, statuses: [{ context: 'ci', state: 'pending' }] });
    };
    const client = new GitHubClient({ url, token: TOKEN, retry: false });
    const error = await failure(
      client.changeRequests.merge({
        project: 'a/b',
        number: 1,
        whenChecksPass: true,
        checksTimeoutMs: 300,
        checksPollIntervalMs: 10,
      }),
    );
    await client.close();
    expect((error as ForgeApiError).code).toBe('FORGE_NOT_MERGEABLE');
    // With the default 5 s pause a 300 ms wait looks twice; with 10 ms it looks many times.
    expect(statusReads).toBeGreaterThan(2);
  });
});

describe('hostile check runs and pipelines', () => {
  const sha = 'c'.repeat(40);

  it('check-run pages whose total_count is never reached stop after 20 pages, typed', async () => {
    requests = 0;
    answer = (request, response) => {
      if (request.url?.includes('/check-runs')) {
        // New runs on every page, so only the page limit stops the reading.
        const page = Number(new URL(request.url, url).searchParams.get('page'));
        const runs = Array.from({ length: 100 }, (_, index) => ({
          id: page * 1000 + index,
          name: `run-${page}-${index}`,
          status: 'queued',
        }));
        return json(response, { total_count: 1_000_000, check_runs: runs });
      }
      json(response, { state: 'pending', total_count: 0, statuses: [] });
    };
    const client = new GitHubClient({ url, token: TOKEN, retry: false });
    const error = await failure(client.checks.get({ project: 'a/b', sha }));
    await client.close();
    expect((error as ForgeApiError).code).toBe('FORGE_UNEXPECTED_RESPONSE');
    expect(requests).toBe(1 + 20);
  });

  it('a check run listed beside its re-run counts once: the one with the higher id, in either order', async () => {
    const stale = { id: 4, name: 'build', status: 'completed', conclusion: 'failure' };
    const rerun = { id: 9, name: 'build', status: 'completed', conclusion: 'success' };
    for (const order of [
      [stale, rerun],
      [rerun, stale],
    ]) {
      answer = (request, response) => {
        if (request.url?.includes('/check-runs'))
          return json(response, { total_count: 2, check_runs: order });
        json(response, { state: 'pending', total_count: 0, statuses: [] });
      };
      const client = new GitHubClient({ url, token: TOKEN, retry: false });
      const checks = await client.checks.get({ project: 'a/b', sha });
      await client.close();
      expect(checks.state).toBe('success');
      expect(checks.statuses).toEqual([expect.objectContaining({ name: 'build', state: 'success' })]);
    }
  });

  it('a combined status of more than one page is read whole: a failure on page 2 fails the checks', async () => {
    const contexts = Array.from({ length: 130 }, (_, index) => ({
      context: `ctx-${index}`,
      state: index === 120 ? 'failure' : 'success',
    }));
    const pages: string[] = [];
    answer = (request, response) => {
      const query = new URL(request.url ?? '/', url).searchParams;
      if (request.url?.includes('/check-runs')) return json(response, { total_count: 0, check_runs: [] });
      // GitHub pages the combined status (30 a page unless per_page says otherwise, at most 100).
      const perPage = Math.min(100, Number(query.get('per_page') ?? 30));
      const page = Number(query.get('page') ?? 1);
      pages.push(`${page}/${perPage}`);
      json(response, {
        state: 'failure',
        total_count: contexts.length,
        statuses: contexts.slice((page - 1) * perPage, page * perPage),
      });
    };
    const client = new GitHubClient({ url, token: TOKEN, retry: false });
    const checks = await client.checks.get({ project: 'a/b', sha });
    await client.close();
    expect(pages).toEqual(['1/100', '2/100']);
    expect(checks.statuses).toHaveLength(130);
    expect(checks.state).toBe('failed');
  });

  it('check-run pages that ignore page (the same runs again) are FORGE_UNEXPECTED_RESPONSE, not a whole list', async () => {
    requests = 0;
    answer = (request, response) => {
      if (request.url?.includes('/check-runs')) {
        // 150 runs, but every page is the first one: the second "reaches" total_count with nothing new.
        const runs = Array.from({ length: 100 }, (_, index) => ({
          id: index + 1,
          name: `run-${index}`,
          status: 'completed',
          conclusion: 'success',
        }));
        return json(response, { total_count: 150, check_runs: runs });
      }
      json(response, { state: 'success', total_count: 0, statuses: [] });
    };
    const client = new GitHubClient({ url, token: TOKEN, retry: false });
    const error = await failure(client.checks.get({ project: 'a/b', sha }));
    await client.close();
    expect((error as ForgeApiError).code).toBe('FORGE_UNEXPECTED_RESPONSE');
    expect((error as Error).message).toMatch(/page 2 repeats/);
    expect(requests).toBe(1 + 2);
  });

  it('an empty check-run page ends the list even when total_count claims more', async () => {
    answer = (request, response) => {
      if (request.url?.includes('/check-runs')) return json(response, { total_count: 7, check_runs: [] });
      json(response, { state: 'success', total_count: 1, statuses: [{ context: 'ci', state: 'success' }] });
    };
    const client = new GitHubClient({ url, token: TOKEN, retry: false });
    const checks = await client.checks.get({ project: 'a/b', sha });
    await client.close();
    expect(checks.state).toBe('success');
  });

  it('a check run of the wrong shape is a ResponseValidationError without the token', async () => {
    answer = (request, response) => {
      if (request.url?.includes('/check-runs')) {
        return json(response, {
          total_count: 1,
          check_runs: [{ name: request.headers.authorization, status: 7 }],
        });
      }
      json(response, { state: 'success', total_count: 0, statuses: [] });
    };
    const client = new GitHubClient({ url, token: TOKEN, retry: false });
    const error = await failure(client.checks.get({ project: 'a/b', sha }));
    await client.close();
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(leaks(error, TOKEN)).toBe(false);
  });

  it('a conclusion or pipeline status the client does not know never counts as success', async () => {
    answer = (request, response) => {
      if (request.url?.includes('/check-runs')) {
        return json(response, {
          total_count: 1,
          check_runs: [{ id: 1, name: 'x', status: 'completed', conclusion: 'exploded' }],
        });
      }
      if (request.url?.includes('/pipelines'))
        return json(response, [{ id: 9, sha, ref: 'main', status: 'exploded' }]);
      if (request.url?.includes('/statuses')) return json(response, []);
      json(response, { state: 'success', total_count: 0, statuses: [] });
    };
    const github = new GitHubClient({ url, token: TOKEN, retry: false });
    expect((await github.checks.get({ project: 'a/b', sha })).state).toBe('failed');
    await github.close();
    const gitlab = new GitLabClient({ url, token: TOKEN, retry: false });
    expect(await gitlab.checks.get({ project: 'team/deploy', sha })).toMatchObject({
      state: 'pending',
      pipeline: { id: 9, status: 'exploded', state: 'pending' },
    });
    await gitlab.close();
  });

  it("a pipeline list that ignores the sha or ref filter is FORGE_UNEXPECTED_RESPONSE, not the other commit's verdict", async () => {
    const other = 'd'.repeat(40);
    for (const [pipeline, ref] of [
      [{ id: 3, sha: other, ref: 'main', status: 'success' }, undefined],
      [{ id: 4, sha, ref: 'v1.0.0', status: 'success' }, 'main'],
    ] as const) {
      answer = (request, response) => {
        if (request.url?.includes('/pipelines')) return json(response, [pipeline]);
        json(response, [{ name: 'build', status: 'failed' }]);
      };
      const client = new GitLabClient({ url, token: TOKEN, retry: false });
      const error = await failure(
        client.checks.get({ project: 'team/deploy', sha, ...(ref ? { ref } : {}) }),
      );
      await client.close();
      expect((error as ForgeApiError).code).toBe('FORGE_UNEXPECTED_RESPONSE');
      expect((error as Error).message).toContain(`pipeline #${pipeline.id}`);
    }
  });

  it('a merge request whose head_pipeline has the wrong shape is a ResponseValidationError', async () => {
    answer = (_request, response) =>
      json(response, {
        iid: 1,
        title: 't',
        state: 'opened',
        source_branch: 'release',
        target_branch: 'main',
        web_url: 'http://x/1',
        head_pipeline: { id: 'one', status: 3 },
      });
    const client = new GitLabClient({ url, token: TOKEN, retry: false });
    const error = await failure(client.changeRequests.get({ project: 'team/deploy', number: 1 }));
    await client.close();
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as Error).message).toMatch(/head_pipeline/);
  });
});
