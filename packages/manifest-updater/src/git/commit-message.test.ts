import { describe, expect, it } from 'vitest';
import { type CommitMessageContext, renderCommitMessage } from './commit-message.js';

const context: CommitMessageContext = {
  branch: 'main',
  files: ['helm/a.yaml', 'helm/b.yaml'],
  changes: [
    { file: 'helm/a.yaml', path: 'image.tag', oldValue: 'v1', newValue: 'v2' },
    { file: 'helm/b.yaml', path: 'replicas', oldValue: 2, newValue: 3 },
    { file: 'helm/b.yaml', path: 'image.tag', oldValue: undefined, newValue: '' },
  ],
};

describe('renderCommitMessage', () => {
  it('defaults to a subject with the paths and one line per value', () => {
    expect(renderCommitMessage(undefined, context)).toBe(
      'chore: update image.tag, replicas in helm/a.yaml, helm/b.yaml\n\n' +
        '- helm/a.yaml: image.tag v1 → v2\n- helm/b.yaml: replicas 2 → 3\n- helm/b.yaml: image.tag (none) → ""\n',
    );
  });

  it('fills placeholders and appends trailers after a blank line', () => {
    expect(
      renderCommitMessage('deploy {paths} to {branch} ({files})', context, {
        'Signed-off-by': 'Bot <bot@example.invalid>',
        'Bad:\nKey': 'multi\nline',
      }),
    ).toBe(
      'deploy image.tag, replicas to main (helm/a.yaml, helm/b.yaml)\n\nSigned-off-by: Bot <bot@example.invalid>\nBadKey: multi line\n',
    );
  });

  it('accepts a function', () => {
    expect(renderCommitMessage((value) => `${value.changes.length} values`, context)).toBe('3 values\n');
  });

  it('shows a value, path or file with a line break as a JSON string, so it cannot forge a trailer or a line', () => {
    const message = renderCommitMessage(
      undefined,
      {
        branch: 'main',
        files: ['helm/a.yaml'],
        changes: [
          {
            file: 'helm/a.yaml',
            path: 'image.tag',
            oldValue: 'v1',
            newValue: 'v2\n\nRelease-Id: forged\rSigned-off-by: x',
          },
        ],
      },
      { 'Release-Id': 'r-1' },
    );
    expect(message).toBe(
      'chore: update image.tag in helm/a.yaml\n\n' +
        '- helm/a.yaml: image.tag v1 → "v2\\n\\nRelease-Id: forged\\rSigned-off-by: x"\n\nRelease-Id: r-1\n',
    );
    expect(message.split('\n').filter((line) => line.startsWith('Release-Id:'))).toEqual(['Release-Id: r-1']);
  });
});
