import { describe, expect, it } from 'vitest';
import { hashObject, parseTree, serializeCommit, serializeTree, TREE_MODE } from './git-objects.js';

describe('serializeTree', () => {
  it('sorts directories as if they ended in a slash, as git does', () => {
    const oid = 'a'.repeat(40);
    const entries = [
      { mode: '100644', name: 'foo.txt', oid },
      { mode: TREE_MODE, name: 'foo', oid },
      { mode: '100644', name: 'foo-bar', oid },
    ];
    // "foo-bar" < "foo.txt" < "foo/" in byte order.
    expect(parseTree(serializeTree(entries)).map((entry) => entry.name)).toEqual([
      'foo-bar',
      'foo.txt',
      'foo',
    ]);
  });

  it('sorts a zero-padded directory mode (040000, an old tool’s) as a directory too', () => {
    const oid = 'a'.repeat(40);
    const entries = [
      { mode: '040000', name: 'foo', oid },
      { mode: '100644', name: 'foo.txt', oid },
    ];
    expect(parseTree(serializeTree(entries)).map((entry) => entry.name)).toEqual(['foo.txt', 'foo']);
  });

  it('hashes the empty tree to git’s well-known id', () => {
    expect(hashObject('tree', serializeTree([]))).toBe('4b825dc642cb6eb9a060e54bf8d69288fbee4904');
  });
});

describe('serializeCommit', () => {
  it('writes headers, strips characters that would break them, and ends the message with a newline', () => {
    const text = serializeCommit({
      tree: 'b'.repeat(40),
      parents: ['c'.repeat(40)],
      author: { name: 'Bot <x>', email: 'bot@example.invalid\n' },
      committer: { name: 'Bot', email: 'bot@example.invalid' },
      message: 'subject',
      when: new Date(1_700_000_000_000),
    }).toString();
    expect(text).toBe(
      `tree ${'b'.repeat(40)}\nparent ${'c'.repeat(40)}\nauthor Bot x <bot@example.invalid> 1700000000 +0000\n` +
        'committer Bot <bot@example.invalid> 1700000000 +0000\n\nsubject\n',
    );
  });
});
