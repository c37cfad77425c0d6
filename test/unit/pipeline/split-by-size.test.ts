import { splitBySize } from '../../../shared/adapters/kafka/publisher';

const msg = (key: string, n: number) => ({ key, value: Buffer.alloc(n) });

describe('splitBySize: produce requests under the broker limit', () => {
  test('consecutive runs of at most maxBytes of keys and values, in order, nothing lost', () => {
    const ms = Array.from({ length: 10 }, (_, i) => msg(`k${i}`, 98)); // 100 bytes each with the key
    const parts = splitBySize(ms, 250);
    expect(parts.map((p) => p.length)).toEqual([2, 2, 2, 2, 2]);
    expect(parts.flat()).toEqual(ms);
    expect(splitBySize(ms, 300).map((p) => p.length)).toEqual([3, 3, 3, 1]);
    expect(splitBySize(ms, 10_000)).toEqual([ms]);
  });

  test('a message larger than the bound travels alone; no empty parts', () => {
    const ms = [msg('a', 10), msg('b', 1000), msg('c', 10), msg('d', 10)];
    expect(splitBySize(ms, 100).map((p) => p.map((m) => m.key))).toEqual([['a'], ['b'], ['c', 'd']]);
    expect(splitBySize([], 100)).toEqual([]);
  });
});
