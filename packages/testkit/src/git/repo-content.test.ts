import { describe, expect, it } from 'vitest';
import { assertRepoPath, buildFastImportStream, spreadFilesOverCommits } from './repo-content.js';

describe('assertRepoPath', () => {
  it.each(['', '/abs', 'a/../b', './a', 'a//b', '.git/config', 'a/.git/x', 'a\\b', 'a\0b'])(
    'rejects %j',
    (path) => {
      expect(() => assertRepoPath(path)).toThrow(TypeError);
    },
  );
  it.each(['a', 'a/b.yaml', '.github/workflows/x.yml', 'dir with space/ü.txt'])('accepts %j', (path) => {
    expect(() => assertRepoPath(path)).not.toThrow();
  });
});

describe('spreadFilesOverCommits', () => {
  it('adds each file exactly once and ends with every file', () => {
    const files = Object.fromEntries(Array.from({ length: 7 }, (_, index) => [`f${index}`, `${index}`]));
    const commits = spreadFilesOverCommits(files, 3, 'msg');
    expect(commits.map((commit) => commit.message)).toEqual(['msg (1/3)', 'msg (2/3)', 'msg (3/3)']);
    expect(commits.flatMap((commit) => Object.keys(commit.changes)).sort()).toEqual(
      Object.keys(files).sort(),
    );
  });

  it('makes empty commits when there are more commits than files', () => {
    const commits = spreadFilesOverCommits({ a: 'a' }, 4, 'm');
    expect(commits).toHaveLength(4);
    expect(commits.filter((commit) => Object.keys(commit.changes).length === 0)).toHaveLength(3);
  });
});

describe('buildFastImportStream', () => {
  it('quotes paths, sets modes, deletes, counts bytes and continues from the parent', () => {
    const stream = buildFastImportStream({
      ref: 'refs/heads/main',
      parent: 'a'.repeat(40),
      nowSeconds: 1000,
      commits: [
        {
          message: 'ü',
          changes: {
            'a "q".txt': 'hé',
            'run.sh': { content: 'x', executable: true },
            link: { symlinkTo: 'a "q".txt' },
            gone: null,
          },
        },
      ],
    }).toString('utf8');
    expect(stream).toContain('data 3\nhé\n');
    expect(stream).toContain('M 100644 :1 "a \\"q\\".txt"\n');
    expect(stream).toContain('M 100755 :2 "run.sh"\n');
    expect(stream).toContain('M 120000 :3 "link"\n');
    expect(stream).toContain('D "gone"\n');
    expect(stream).toContain(`from ${'a'.repeat(40)}\n`);
    expect(stream).toContain('committer GitServer <git-server@testkit.invalid> 1000 +0000\ndata 2\nü\n');
    expect(stream.endsWith('done\n')).toBe(true);
  });
});
