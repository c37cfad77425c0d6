import * as avro from 'avsc';
import { codecFor, fingerprintOf, loadSchema } from '../../../shared/avro/codec';
import { ORDER_READER_FINGERPRINT, readRawOrder } from '../../../shared/avro/order-reader';
import { OrderBatch } from '../../../shared/adapters/redis/order-args';
import { emptyRawOrder, ORDER_FACT_FIELDS, type OrderEvent, type OrderFacts, type RawOrder } from '../../../shared/domain/events';
import { rawOrderValid, validateOrder } from '../../../shared/domain/validation';

const type = avro.Type.forSchema(loadSchema('order'));
const header = Buffer.concat([Buffer.from([0xc3, 0x01]), fingerprintOf(type)]);
const bytesOf = (e: OrderEvent) => Buffer.concat([header, type.toBuffer(e)]);
/** The full path: what the order consumer decodes (the six fields) with avsc. */
const codec = codecFor<OrderFacts>('order', false, ORDER_FACT_FIELDS);
const KINDS = ['ORDER', 'CANCELLATION', 'RETURN'] as const;
const limits = { maxOrderQuantity: 1000, maxUnitPrice: 10000, maxTextChars: 100, maxFutureSkewMs: 3600_000 };
const NOW = Date.UTC(2026, 11, 1);

let seed = 4242;
const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

// around every check of validateOrder and every varint width
const IDS = ['e1', 'x', 'ord-536365-85123A-0', 'a'.repeat(200), 'a'.repeat(201), '', 'tab\there', 'new\nline', 'café', '漢字', 'del\u007f', ' ', '~'.repeat(150) + 'é'];
const SKUS = ['85123A', 'A', 'a.b_c:d-e', '9'.repeat(64), '9'.repeat(65), '', '.lead', '_x', '-x', ':x', 'spa ce', 'ü', 'POST'];
const TIMES = [NOW - 86_400_000, Date.UTC(2000, 0, 1), Date.UTC(2000, 0, 1) - 1, Date.UTC(2011, 5, 1), NOW + 3599_000, NOW + 3601_000, 0, -1, 2 ** 40, 9007199254740990];
const QTYS = [1, 6, -1, -6, 0, 1000, 1001, -1000, -1001, 2 ** 31 - 1, -(2 ** 31), 63, 64, -65];
const PRICES = [0, 2.55, -0.01, 10000, 10000.5, NaN, Infinity, -Infinity, -0, 5e-324];

/** Each field usually ordinary, else one of the edge values above. */
function randomOrder(): OrderEvent {
  const edge = <T>(usual: T, xs: readonly T[]): T => (rand() < 0.7 ? usual : pick(xs));
  const quantity = edge(pick([1, 6, 12, -1, -6]), QTYS);
  const kind = rand() < 0.8 ? (quantity > 0 ? 'ORDER' : pick(['CANCELLATION', 'RETURN'] as const)) : pick(KINDS);
  return {
    eventId: edge(`ev-${Math.floor(rand() * 1e9)}`, IDS), eventTime: edge(Date.UTC(2011, 5, 1) + Math.floor(rand() * 1e10), TIMES), sku: edge(pick(['85123A', '71053', 'A1']), SKUS),
    orderId: pick(['536365', '', 'C536379']), kind, quantity, unitPrice: edge(rand() * 100, PRICES),
    currency: pick(['GBP', '', 'EUR']), customerId: pick([null, '17850', '']), country: pick([null, 'United Kingdom', 'España']),
  };
}

/** validateOrder's answer on the full path: the decoded facts, or null when it refuses. */
function fullPath(buf: Buffer): OrderFacts | null {
  try {
    return validateOrder(codec.decode(buf).value, limits, NOW);
  } catch {
    return null;
  }
}

function rawFacts(buf: Buffer, r: RawOrder): OrderFacts {
  return { eventId: buf.subarray(r.idStart, r.idEnd).toString('utf8'), sku: buf.subarray(r.skuStart, r.skuEnd).toString('utf8'), eventTime: r.eventTime, kind: KINDS[r.kind], quantity: r.quantity, unitPrice: r.unitPrice };
}

describe('readRawOrder', () => {
  test('follows schemas/order.avsc as it is (a schema edit makes messages take avsc, and this test fail)', () => {
    expect(fingerprintOf(type).toString('hex')).toBe(ORDER_READER_FINGERPRINT);
  });

  test('reads every field as avsc does, on 3,000 random orders', () => {
    const r = emptyRawOrder();
    for (let i = 0; i < 3000; i++) {
      const e = randomOrder();
      const buf = bytesOf(e);
      // its range: longs up to 2^52 in magnitude (zigzag up to 2^53); past that, avsc reads them
      expect(readRawOrder(buf, r)).toBe(Math.abs(e.eventTime) <= 2 ** 52);
      if (Math.abs(e.eventTime) > 2 ** 52) continue;
      const want = codec.decode(buf).value;
      expect(rawFacts(buf, r)).toEqual(want);
      expect(Object.is(r.unitPrice, want.unitPrice)).toBe(true); // -0 and NaN too
    }
  });

  test('answers false for a truncated or padded datum, another writer, an index out of range', () => {
    const r = emptyRawOrder();
    const e: OrderEvent = { eventId: 'e1', eventTime: Date.UTC(2011, 5, 1), sku: '85123A', orderId: '536365', kind: 'ORDER', quantity: 6, unitPrice: 2.55, currency: 'GBP', customerId: '17850', country: 'United Kingdom' };
    const buf = bytesOf(e);
    for (let n = 0; n < buf.length; n++) expect(readRawOrder(buf.subarray(0, n), r)).toBe(false);
    expect(readRawOrder(Buffer.concat([buf, Buffer.from([0])]), r)).toBe(false);
    const other = Buffer.from(buf);
    other[9] ^= 1;
    expect(readRawOrder(other, r)).toBe(false);
    // kind is the first byte after the three strings: index 3 (zigzag 6) is not a symbol
    const at = 10 + 1 + 2 + 6 + 1 + 6 + 1 + 6;
    expect(buf[at]).toBe(0);
    const badKind = Buffer.from(buf);
    badKind[at] = 6;
    expect(readRawOrder(badKind, r)).toBe(false);
    expect(() => codec.decode(badKind)).toThrow();
    // a union branch other than 0 or 1 (customerId's: the byte after currency)
    const badUnion = Buffer.from(buf);
    const u = at + 1 + 1 + 8 + 4;
    expect(badUnion[u]).toBe(2);
    badUnion[u] = 4;
    expect(readRawOrder(badUnion, r)).toBe(false);
    // a varint longer than a safe integer
    const huge = Buffer.concat([buf.subarray(0, 10), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), buf.subarray(11)]);
    expect(readRawOrder(huge, r)).toBe(false);
  });
});

describe('rawOrderValid, the byte-level twin of validateOrder', () => {
  test('accepts only what validateOrder accepts, and every valid order with a printable ASCII id', () => {
    const r = emptyRawOrder();
    let fast = 0;
    let valid = 0;
    for (let i = 0; i < 5000; i++) {
      const e = randomOrder();
      const buf = bytesOf(e);
      const accepted = readRawOrder(buf, r) && rawOrderValid(buf, r, limits, NOW);
      const full = fullPath(buf);
      if (accepted) expect(full).toEqual(rawFacts(buf, r));
      if (full) {
        valid++;
        if (/^[\u0020-\u007f]{1,200}$/.test(full.eventId)) expect(accepted).toBe(true);
      }
      if (accepted) fast++;
    }
    // both answers came many times (about a fifth of these orders are valid)
    expect(valid).toBeGreaterThan(500);
    expect(fast).toBeGreaterThan(500);
    expect(5000 - valid).toBeGreaterThan(1000);
  });
});

describe('OrderBatch', () => {
  test('makes the same call arguments from bytes (addRaw) as from decoded events (add)', () => {
    const r = emptyRawOrder();
    const viaBytes = new OrderBatch(86_400_000);
    const viaEvents = new OrderBatch(86_400_000);
    const skus = ['85123A', '71053', '84406B', 'X'];
    for (let i = 0; i < 2000; i++) {
      const e: OrderEvent = { eventId: `ev-${i % 1700}`, eventTime: Date.UTC(2011, 0, 1) + Math.floor(rand() * 300) * 86_400_000, sku: pick(skus), orderId: 'o', kind: 'ORDER', quantity: 1 + Math.floor(rand() * 9), unitPrice: 1, currency: 'GBP', customerId: null, country: null };
      const buf = bytesOf(e);
      expect(readRawOrder(buf, r)).toBe(true);
      viaBytes.addRaw(buf, r);
      viaEvents.add(e);
    }
    expect(viaBytes.skus()).toEqual(viaEvents.skus());
    expect(viaBytes.newest).toBe(viaEvents.newest);
    // small pieces, so that some straddle epochs (joinedAt) and some do not (joined)
    const a = viaBytes.pieces(400, 37);
    const b = viaEvents.pieces(400, 37);
    expect(a.map((p) => p.args.map((x) => (Buffer.isBuffer(x) ? x.toString('hex') : x)))).toEqual(b.map((p) => p.args.map((x) => (Buffer.isBuffer(x) ? x.toString('hex') : x))));
    expect(a.some((p) => (p.args[1] as number) > 1)).toBe(true);
  });
});
