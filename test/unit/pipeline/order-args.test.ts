import { epochLength, orderPieces, packCalls } from '../../../shared/adapters/redis/order-args';
import type { OrderFacts } from '../../../shared/domain/events';

const DAY = 86_400_000;
const order = (sku: string, id: string, day: number, quantity: number): OrderFacts => ({ eventId: id, eventTime: day * DAY + 1000, sku, kind: 'ORDER', quantity, unitPrice: 1 });
const keysOf = (sku: string) => [`${sku}:state`, `${sku}:demand`, `${sku}:seen:`];
const doubles = (b: Buffer) => Array.from(new Float64Array(b.buffer, b.byteOffset, b.length / 8));

describe('orderPieces', () => {
  it('gives each product one piece: newest time, one group with its ids, events and per-bucket sums in first-seen order', () => {
    const pieces = orderPieces([order('A', 'a1', 10, 2), order('B', 'b1', 11, 1), order('A', 'a2', 12, 3), order('A', 'a3', 10, 4)], DAY, 400, 2000);
    expect(pieces.map((p) => [p.sku, p.events])).toEqual([['A', 3], ['B', 1]]);
    const [newest, groups, epoch, lowest, ids, evs, sums] = pieces[0].args;
    expect([newest, groups, epoch, lowest, String(ids)]).toEqual([12 * DAY + 1000, 1, Math.floor(10 / epochLength(400)), 10, 'a1\na2\na3']);
    expect(doubles(evs as Buffer)).toEqual([10, 2, 12, 3, 10, 4]);
    expect(doubles(sums as Buffer)).toEqual([10, 6, 12, 3]);
  });

  it("splits a product's events by epoch, and into pieces of at most maxEvents", () => {
    const len = epochLength(400); // 100 buckets
    const [p] = orderPieces([order('A', 'x', len - 1, 1), order('A', 'y', len, 5), order('A', 'z', len - 1, 2)], DAY, 400, 2000);
    expect(p.args.slice(0, 2)).toEqual([len * DAY + 1000, 2]);
    // epoch 0 then epoch 1, each with its own ids and sums (the sums of a group start afresh)
    expect([p.args[2], p.args[3], String(p.args[4])]).toEqual([0, len - 1, 'x\nz']);
    expect(doubles(p.args[6] as Buffer)).toEqual([len - 1, 3]);
    expect([p.args[7], p.args[8], String(p.args[9])]).toEqual([1, len, 'y']);
    expect(doubles(p.args[11] as Buffer)).toEqual([len, 5]);
    const many = orderPieces(Array.from({ length: 5 }, (_, i) => order('M', `m${i}`, 3, 1)), DAY, 400, 2);
    expect(many.map((q) => q.events)).toEqual([2, 2, 1]);
  });
});

describe('packCalls', () => {
  const piece = (sku: string, events: number) => ({ sku, events, args: [`${sku}-args`] });

  it('keeps the keys and arguments of each product together, in order', () => {
    const [call] = packCalls([piece('A', 1), piece('B', 2)], keysOf, 100, 10);
    expect(call.keys).toEqual([...keysOf('A'), ...keysOf('B')]);
    expect(call.args).toEqual(['A-args', 'B-args']);
  });

  it('starts a new call at the product cap, and before a piece that would pass the event cap', () => {
    const calls = packCalls([piece('A', 3), piece('B', 3), piece('C', 5), piece('D', 1), piece('E', 1), piece('F', 1)], keysOf, 6, 2);
    expect(calls.map((c) => c.args)).toEqual([['A-args', 'B-args'], ['C-args', 'D-args'], ['E-args', 'F-args']]);
  });

  it('gives a piece larger than the event cap a call of its own', () => {
    const calls = packCalls([piece('A', 1), piece('BIG', 50), piece('C', 1)], keysOf, 10, 64);
    expect(calls.map((c) => c.args)).toEqual([['A-args'], ['BIG-args'], ['C-args']]);
  });
});
