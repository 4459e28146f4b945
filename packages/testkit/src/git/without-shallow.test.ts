import { describe, expect, it } from 'vitest';
import { advertisementWithoutShallow } from './without-shallow.js';

function pkt(text: string): string {
  return `${(Buffer.byteLength(text) + 4).toString(16).padStart(4, '0')}${text}`;
}

describe('advertisementWithoutShallow', () => {
  it('removes shallow from a v0 capability list and from a v2 fetch line, keeping everything else', () => {
    const oid = 'a'.repeat(40);
    const v0 = Buffer.from(
      `${pkt(`${oid} HEAD\0multi_ack shallow deepen-since filter agent=git/2\n`)}${pkt(`${oid} refs/heads/main\n`)}0000`,
    );
    expect(advertisementWithoutShallow(v0).toString()).toBe(
      `${pkt(`${oid} HEAD\0multi_ack deepen-since filter agent=git/2\n`)}${pkt(`${oid} refs/heads/main\n`)}0000`,
    );
    const v2 = Buffer.from(
      `${pkt('version 2\n')}${pkt('ls-refs=unborn\n')}${pkt('fetch=shallow wait-for-done filter\n')}0000`,
    );
    expect(advertisementWithoutShallow(v2).toString()).toBe(
      `${pkt('version 2\n')}${pkt('ls-refs=unborn\n')}${pkt('fetch=wait-for-done filter\n')}0000`,
    );
  });
});
