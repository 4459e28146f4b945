import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageProblems } from '../src/cli/framework/usage-error.js';
import { releaseSshFromArguments } from '../src/cli/release-ssh-flags.js';

const directory = mkdtempSync(join(tmpdir(), 'release-ssh-flags-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function keyFile(name: string, content: string): string {
  const path = join(directory, name);
  writeFileSync(path, `${content}\n`);
  return path;
}

describe('--git-ssh-key-file-for REPO=PATH', () => {
  it('a repository URL with "=" in it gets its key (split after the stages URL, not at the first "=")', () => {
    const withEquals = 'git@git.example.com:team/a=b.git';
    const other = 'git@git.example.com:team/a.git';
    const keyA = keyFile('key=a', 'KEY-FOR-A=B');
    const keyOther = keyFile('key-other', 'KEY-FOR-A');
    const problems = new UsageProblems('release promote');
    const ssh = releaseSshFromArguments(
      { 'git-ssh-key-file-for': [`${withEquals}=${keyA}`, `${other}=${keyOther}`] },
      {},
      [withEquals, other],
      problems,
    );
    expect(problems.count).toBe(0);
    expect(ssh.gitSshByUrl?.[withEquals]?.privateKey).toBe('KEY-FOR-A=B\n');
    expect(ssh.gitSshByUrl?.[other]?.privateKey).toBe('KEY-FOR-A\n');
    expect(Object.keys(ssh.gitSshByUrl ?? {}).sort()).toEqual([other, withEquals].sort());
    expect(ssh.gitSsh).toBeUndefined();
  });

  it('held: "=" in the key path, empty parts, an unknown or HTTP repository, the same repository twice', () => {
    const url = 'git@git.example.com:team/deploy.git';
    const key = keyFile('a=b=c', 'KEY');
    const fine = new UsageProblems();
    const ssh = releaseSshFromArguments({ 'git-ssh-key-file-for': [`${url}=${key}`] }, {}, [url], fine);
    expect(fine.count).toBe(0);
    expect(ssh.gitSshByUrl?.[url]?.privateKey).toBe('KEY\n');
    const cases: Array<[string[], RegExp]> = [
      [[`=${key}`], /expects REPO=PATH/],
      [[`${url}=`], /expects REPO=PATH/],
      [['git@elsewhere.example.com:x.git=/k'], /names no SSH repository of the stages file/],
      [['https://git.example.com/team/deploy.git=/k'], /names no SSH repository of the stages file/],
      [[`${url}=${key}`, `${url}=${key}`], /gives git@git.example.com:team\/deploy.git more than one key/],
    ];
    for (const [given, problem] of cases) {
      const problems = new UsageProblems();
      releaseSshFromArguments(
        { 'git-ssh-key-file-for': given },
        {},
        [url, 'https://git.example.com/team/deploy.git'],
        problems,
      );
      expect(() => problems.throwIfAny()).toThrow(problem);
    }
  });
});
