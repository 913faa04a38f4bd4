import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { wsTextFrame } from './transport.ts';

// ws's own framing (not in its type declarations).
const { Sender } = createRequire(import.meta.url)('ws') as { Sender: { frame(data: Buffer, o: object): Buffer[] } };

// A room's pass writes frames it encoded itself: they must be byte for byte what `ws` would write.
describe('wsTextFrame', () => {
  it.each([0, 5, 125, 126, 1000, 65_535, 65_536, 200_000])('a %i-byte payload is framed exactly as ws frames it', (n) => {
    const payload = Buffer.alloc(n, 'x');
    const theirs = Buffer.concat(Sender.frame(payload, { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false }));
    expect(wsTextFrame(payload).equals(theirs)).toBe(true);
  });
});
