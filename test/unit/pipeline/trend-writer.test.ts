import { codecFor, loadSchema, fingerprintOf } from '../../../shared/avro/codec';
import * as avro from 'avsc';
import { TREND_WRITER_FINGERPRINT, writeTrend } from '../../../shared/avro/trend-writer';
import { PoisonMessageError } from '../../../shared/errors';
import type { Trend } from '../../../shared/domain/events';

const type = avro.Type.forSchema(loadSchema('trend'));
const header = Buffer.concat([Buffer.from([0xc3, 0x01]), fingerprintOf(type)]);
/** What avsc writes: the reference the hand-written writer must equal byte for byte. */
const reference = (t: Trend) => Buffer.concat([header, type.toBuffer(t)]);

let seed = 12345;
const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

// integers either side of every varint width and of the writer's switch to float arithmetic (2^30)
const LONGS = [0, 1, -1, 63, -64, 64, -65, 8191, 8192, 2 ** 20, 2 ** 30 - 1, 2 ** 30, -(2 ** 30), -(2 ** 30) - 1, 2 ** 31, -(2 ** 31), 2 ** 40 + 3, 1_764_633_600_000, -1_764_633_600_000, 9007199254740990, -9007199254740990]; // avsc's largest longs
const DOUBLES = [0, -0, 1.5, -2.25, NaN, Infinity, -Infinity, 5e-324, 1.7976931348623157e308, 1 / 3, 1e-12, 123456.789];
const STRINGS = ['', 'A', '85123A', 'ensemble', 'café', '漢字の商品', 'mug 🍵 with a 🐈', 'é'.repeat(40), 'x'.repeat(70) + 'ü', 'ü'.repeat(100)];

function randomTrend(): Trend {
  const h = pick([0, 1, 7, 28]);
  const num = () => (rand() < 0.3 ? pick(DOUBLES) : rand() * 1000);
  const int = () => (rand() < 0.5 ? pick(LONGS) : Math.floor(rand() * 2e12));
  return {
    sku: pick(STRINGS), generatedAt: int(), basedOnEventTime: int(), bucketMs: int(),
    horizon: Array.from({ length: h }, (_, i) => ({ step: rand() < 0.2 ? pick([0, -1, 2 ** 31 - 1, -(2 ** 31)]) : i + 1, bucketStart: int(), p10: num(), p50: num(), p90: num() })),
    direction: pick(['RISING', 'FLAT', 'FALLING'] as const), slope: num(), level: num(),
    model: pick(STRINGS), modelVersion: pick(STRINGS), category: rand() < 0.3 ? null : pick(STRINGS),
    leadP90: Array.from({ length: pick([0, 1, 28]) }, num),
  };
}

describe('hand-written Trend writer', () => {
  test('implements schemas/trend.avsc as it is (a schema edit makes the codec fall back to avsc, and this test fail)', () => {
    expect(fingerprintOf(type).toString('hex')).toBe(TREND_WRITER_FINGERPRINT);
    const t = randomTrend();
    // the codec of the current schema uses the writer: same bytes, decodable
    expect(codecFor<Trend>('trend').encode(t)).toEqual(reference(t));
  });

  test('writes the bytes avsc writes, over 3,000 random trends with edge values of every type', () => {
    for (let i = 0; i < 3000; i++) {
      const t = randomTrend();
      const got = writeTrend(t, header);
      const want = reference(t);
      if (!got.equals(want)) throw new Error(`trend ${i} differs: ${JSON.stringify(t)}\n got ${got.toString('hex')}\nwant ${want.toString('hex')}`);
    }
    expect(seed).not.toBe(12345); // the loop ran
  });

  test('what it writes decodes to the same trend; a large trend grows the scratch buffer', () => {
    const codec = codecFor<Trend>('trend');
    const t = randomTrend();
    const big: Trend = { ...t, sku: '漢'.repeat(8_000), leadP90: Array.from({ length: 3000 }, (_, i) => i), horizon: Array.from({ length: 500 }, (_, i) => ({ step: i + 1, bucketStart: i * 86_400_000, p10: 1, p50: 2, p90: 3 })) };
    for (const x of [t, big, t]) {
      const buf = writeTrend(x, header);
      expect(buf).toEqual(reference(x));
      expect(codec.decode(buf).value).toEqual(x);
    }
  });

  test('rejects what avsc rejects, naming the field', () => {
    const base = { ...randomTrend(), horizon: [{ step: 1, bucketStart: 0, p10: 0, p50: 1, p90: 2 }], leadP90: [1] };
    const bad: [string, unknown][] = [
      ['sku', { ...base, sku: 7 }],
      ['generatedAt', { ...base, generatedAt: 1.5 }],
      ['basedOnEventTime', { ...base, basedOnEventTime: 2 ** 60 }],
      ['basedOnEventTime', { ...base, basedOnEventTime: Number.MAX_SAFE_INTEGER }],
      ['bucketMs', { ...base, bucketMs: undefined }],
      ['horizon', { ...base, horizon: null }],
      ['horizon.0.step', { ...base, horizon: [{ ...base.horizon[0], step: 2 ** 31 }] }],
      ['horizon.0.p50', { ...base, horizon: [{ ...base.horizon[0], p50: '1' }] }],
      ['direction', { ...base, direction: 'UP' }],
      ['category', { ...base, category: 5 }],
      ['leadP90.0', { ...base, leadP90: [null] }],
    ];
    for (const [field, value] of bad) {
      expect([field, type.isValid(value)]).toEqual([field, false]);
      expect(() => writeTrend(value as Trend, header)).toThrow(PoisonMessageError);
      expect(() => writeTrend(value as Trend, header)).toThrow(new RegExp(`: ${field.replace(/\./g, '\\.')}$`));
    }
    // stricter than avsc in one place: its enum check looks the symbol up in a plain object, so it
    // takes 'toString' (and writes garbage); the writer refuses it
    expect(() => writeTrend({ ...base, direction: 'toString' } as unknown as Trend, header)).toThrow(/: direction$/);
    // an undefined field with a default takes the default, as in avsc
    for (const t of [{ ...base, category: undefined }, { ...base, leadP90: undefined }] as unknown as Trend[]) expect(writeTrend(t, header)).toEqual(reference(t));
    expect(type.isValid(base)).toBe(true);
    expect(writeTrend(base, header)).toEqual(reference(base));
  });
});
