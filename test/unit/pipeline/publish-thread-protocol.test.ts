/** The packing of a publish for the publisher thread (publish-thread-protocol.ts). */
import { packMessages, transferOf, unpackMessages } from '../../../shared/adapters/kafka/publish-thread-protocol';

describe('packMessages / unpackMessages', () => {
  test('keys, values (also empty, also from one pooled buffer) and headers come back as they were sent', () => {
    const pool = Buffer.from('abcdefghij');
    const messages = [
      { key: 'A', value: pool.subarray(2, 5) },
      { key: 'B', value: Buffer.alloc(0) },
      { key: 'C', value: pool.subarray(0, 10), headers: { 'dlq-reason': 'x' } },
      { key: 'Ü', value: Buffer.from([0, 255, 7]) },
    ];
    const packed = packMessages(messages);
    expect(packed.bytes.byteLength).toBe(3 + 0 + 10 + 3);
    expect(Array.from(packed.ends)).toEqual([3, 3, 13, 16]);
    const back = unpackMessages(structuredClone(packed, { transfer: transferOf(packed) }));
    expect(back.map((m) => [m.key, m.value.toString('hex'), m.headers ?? null])).toEqual(messages.map((m) => [m.key, m.value.toString('hex'), m.headers ?? null]));
  });

  test('no headers field when no message has headers; a copy, so later writes to the sent buffers change nothing', () => {
    const value = Buffer.from('xyz');
    const packed = packMessages([{ key: 'K', value }]);
    expect(packed.headers).toBeNull();
    value[0] = 0x41;
    expect(unpackMessages(packed)[0]).toEqual({ key: 'K', value: Buffer.from('xyz') });
  });
});
