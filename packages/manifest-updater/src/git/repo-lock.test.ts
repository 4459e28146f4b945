import { describe, expect, it } from 'vitest';
import { KeyedLock } from './repo-lock.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('KeyedLock', () => {
  it('runs work with the same key one at a time, in order, even when one fails', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const job = (name: string, fail = false) =>
      lock.run('repo#main', async () => {
        events.push(`start ${name}`);
        await tick();
        events.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([job('a'), job('b', true), job('c')]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(lock.activeKeys).toBe(0);
  });

  it('lets different keys run at the same time', async () => {
    const lock = new KeyedLock();
    let running = 0;
    let most = 0;
    const job = (key: string) =>
      lock.run(key, async () => {
        running += 1;
        most = Math.max(most, running);
        await tick();
        running -= 1;
      });
    await Promise.all([job('a'), job('b')]);
    expect(most).toBe(2);
  });
});
