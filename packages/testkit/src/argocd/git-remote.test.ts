import { describe, expect, it } from 'vitest';
import { parseAdvertisement } from './git-remote.js';

function pkt(text: string): string {
  return `${(Buffer.byteLength(text) + 4).toString(16).padStart(4, '0')}${text}`;
}

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

describe('parseAdvertisement', () => {
  it('reads refs, peeled tags and HEAD from a protocol v0 advertisement with its service header', () => {
    const body = Buffer.from(
      `${pkt('# service=git-upload-pack\n')}0000${pkt(`${A} HEAD\0multi_ack symref=HEAD:refs/heads/main agent=git/2\n`)}${pkt(`${A} refs/heads/main\n`)}${pkt(`${B} refs/tags/v1\n`)}${pkt(`${C} refs/tags/v1^{}\n`)}0000`,
    );
    expect(Object.fromEntries(parseAdvertisement(body))).toEqual({
      HEAD: A,
      'refs/heads/main': A,
      'refs/tags/v1': B,
      'refs/tags/v1^{}': C,
    });
  });

  it('follows the symref capability when HEAD itself is not listed, and reads an empty repository as no refs', () => {
    const withoutHead = Buffer.from(
      `${pkt(`${A} refs/heads/trunk\0symref=HEAD:refs/heads/trunk\n`)}${pkt(`${B} refs/heads/other\n`)}0000`,
    );
    expect(parseAdvertisement(withoutHead).get('HEAD')).toBe(A);
    const empty = Buffer.from(`${pkt(`${'0'.repeat(40)} capabilities^{}\0agent=git/2\n`)}0000`);
    expect(parseAdvertisement(empty).size).toBe(0);
  });

  it('rejects a server error line and a truncated answer', () => {
    expect(() => parseAdvertisement(Buffer.from(pkt('ERR access denied\n')))).toThrow(
      'failed to list refs: access denied',
    );
    expect(() => parseAdvertisement(Buffer.from(`00ff${A}`))).toThrow('truncated pkt-line');
    expect(() => parseAdvertisement(Buffer.from('zzzz'))).toThrow('malformed pkt-line');
  });
});
