import { describe, expect, it } from 'vitest';
import { isRaceReason } from './remote-session.js';

describe('isRaceReason', () => {
  it('knows the lost-race answers of git, JGit and dulwich', () => {
    for (const reason of [
      'fetch first',
      'non-fast-forward',
      'failed to update ref',
      "cannot lock ref 'refs/heads/main': is at 1234 but expected 5678",
      'incorrect old value provided',
      // JGit 4.11: the old value changed before it read the refs, and another writer holding the lock.
      'invalid old id sent',
      'failed to lock',
      'lock error: Cannot lock refs/heads/main',
      // dulwich
      'failed to write',
    ]) {
      expect(isRaceReason(reason)).toBe(true);
    }
    for (const reason of [
      'pre-receive hook declined',
      'protected branch hook declined',
      'deny updating a hidden ref',
    ]) {
      expect(isRaceReason(reason)).toBe(false);
    }
  });
});
