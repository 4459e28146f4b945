import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageProblems } from './framework/usage-error.js';
import { releaseHttpAuthFromArguments } from './release-http-flags.js';
import { splitRepositoryAssignment } from './repository-assignment.js';

describe('splitRepositoryAssignment', () => {
  it('splits after the longest known URL the value starts with, else at the first "="', () => {
    const short = 'https://git.example.com/team/a';
    const long = 'https://git.example.com/team/a=b';
    expect(splitRepositoryAssignment(`${long}=/k=1`, [short, long])).toEqual({ url: long, path: '/k=1' });
    expect(splitRepositoryAssignment(`${short}=/k`, [short, long])).toEqual({ url: short, path: '/k' });
    expect(splitRepositoryAssignment('other=/k', [short])).toEqual({ url: 'other', path: '/k' });
    expect(splitRepositoryAssignment('=/k', [short])).toEqual({ url: undefined, path: '' });
    expect(splitRepositoryAssignment('no-equals', [short])).toEqual({ url: undefined, path: '' });
  });

  it('--git-token-file-for reaches an http(s) repository whose URL holds "="', () => {
    const directory = mkdtempSync(join(tmpdir(), 'repository-assignment-'));
    try {
      const url = 'https://git.example.com/deploy.git?ref=a';
      const token = join(directory, 'token');
      writeFileSync(token, 'TOKEN-A\n');
      const problems = new UsageProblems();
      const byUrl = releaseHttpAuthFromArguments(
        { 'git-token-file-for': [`${url}=${token}`] },
        {},
        [url],
        problems,
      );
      expect(problems.count).toBe(0);
      expect(byUrl?.[url]).toEqual({ token: 'TOKEN-A' });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
