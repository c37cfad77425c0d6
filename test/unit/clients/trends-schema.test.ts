/**
 * Schema evolution of `trends` (docs/trends-schema.md): a consumer built on v1 reads v2 messages,
 * the current reader resolves v1 messages, and every version in schemas/history relates to the next
 * only by the allowed changes.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Schema } from 'avsc';
import { AvroCodec, fingerprintOf, loadSchema } from '../../../shared/avro/codec';
import { decodeTrend, decodeTrendWithInfo, encodeTrend } from '../../../shared/clients/trends';
import type { Trend } from '../../../shared/domain/events';
import { PoisonMessageError } from '../../../shared/errors';

const ROOT = path.resolve(__dirname, '../../..');
const readJson = (p: string) => JSON.parse(fs.readFileSync(path.join(ROOT, p), 'utf8')) as RecordSchema;

interface Field { name: string; type: unknown; default?: unknown }
interface RecordSchema { type: 'record'; name: string; fields: Field[] }

const v1 = readJson('schemas/history/trend.v1.avsc');
const current = loadSchema('trend') as unknown as RecordSchema;

/** Versions in order: history v1..vN, then the current file. */
function versions(): RecordSchema[] {
  const files = fs.readdirSync(path.join(ROOT, 'schemas/history')).filter((f) => /^trend\.v\d+\.avsc$/.test(f));
  files.sort((a, b) => Number(/v(\d+)/.exec(a)![1]) - Number(/v(\d+)/.exec(b)![1]));
  return [...files.map((f) => readJson(`schemas/history/${f}`)), current];
}

const D = 86_400_000;
function trend(over: Partial<Trend> = {}): Trend {
  return {
    sku: '85123A', generatedAt: Date.UTC(2011, 11, 9, 12), basedOnEventTime: Date.UTC(2011, 11, 9, 10), bucketMs: D,
    horizon: [1, 2, 3].map((step) => ({ step, bucketStart: Date.UTC(2011, 11, 9) + (step - 1) * D, p10: step, p50: step * 2, p90: step * 3.5 })),
    direction: 'RISING', slope: 0.042, level: 17.5, model: 'ets', modelVersion: 'v7', category: 'home decor', ...over,
  };
}

describe('trends schema evolution', () => {
  test('a consumer built on v1 decodes a v2 message, every v1 field intact', () => {
    const v1Reader = new AvroCodec<Omit<Trend, 'category'>>(v1 as unknown as Schema, [], true);
    const t = trend();
    const got = v1Reader.decode(encodeTrend(t));
    expect(got.via).toBe('prefix');
    const { category: _c, ...v1Fields } = t;
    expect(got.value).toEqual(expect.objectContaining(v1Fields));
    expect(got.value).not.toHaveProperty('category');
  });

  test('the current reader resolves a v1 message, the new field taking its default', () => {
    const v1Writer = new AvroCodec<Omit<Trend, 'category'>>(v1 as unknown as Schema);
    const { category: _c, ...old } = trend();
    const got = decodeTrendWithInfo(v1Writer.encode(old));
    expect(got.via).toBe('resolved');
    expect(got.trend).toEqual({ ...old, category: null });
  });

  test('the current version is v2: history holds v1 and the fingerprints differ', () => {
    expect(versions()).toHaveLength(2);
    expect(fingerprintOf(new AvroCodec(v1 as unknown as Schema).type)).not.toEqual(new AvroCodec(current as unknown as Schema).fingerprint);
    expect(decodeTrendWithInfo(encodeTrend(trend())).via).toBe('exact');
  });

  test('each version differs from the previous only by defaulted fields appended at the end', () => {
    const vs = versions();
    for (let i = 1; i < vs.length; i++) {
      const [older, newer] = [vs[i - 1], vs[i]];
      expect(newer.name).toBe(older.name);
      expect(newer.fields.length).toBeGreaterThan(older.fields.length);
      older.fields.forEach((f, j) => {
        expect(newer.fields[j].name).toBe(f.name);
        const [a, b] = [f.type, newer.fields[j].type];
        if (isEnum(a)) {
          // enums only gain symbols at the end
          expect((b as EnumSchema).symbols.slice(0, a.symbols.length)).toEqual(a.symbols);
        } else {
          expect(stripDocs(b)).toEqual(stripDocs(a)); // HorizonPoint and every other type frozen
        }
      });
      for (const added of newer.fields.slice(older.fields.length)) expect(added).toHaveProperty('default');
    }
  });

  test('a newer writer with an appended field is read as a prefix by the current client', () => {
    const v3 = { ...current, fields: [...current.fields, { name: 'promo', type: 'boolean', default: false }] };
    const w3 = new AvroCodec<Trend & { promo: boolean }>(v3 as unknown as Schema);
    const got = decodeTrendWithInfo(w3.encode({ ...trend(), promo: true }));
    expect(got.via).toBe('prefix');
    expect(got.trend).toEqual(trend());
  });

  test('an enum symbol the reader does not know fails that message only, naming the enum', () => {
    const v3 = { ...current, fields: current.fields.map((f) => (f.name === 'direction' ? { ...f, type: { ...(f.type as EnumSchema), symbols: ['RISING', 'FLAT', 'FALLING', 'VOLATILE'] } } : f)) };
    const w3 = new AvroCodec<Omit<Trend, 'direction'> & { direction: string }>(v3 as unknown as Schema);
    expect(decodeTrend(w3.encode({ ...trend(), direction: 'FALLING' })).direction).toBe('FALLING');
    const bad = w3.encode({ ...trend(), direction: 'VOLATILE' });
    expect(() => decodeTrend(bad)).toThrow(PoisonMessageError);
    expect(() => decodeTrend(bad)).toThrow(/TrendDirection enum index: 3/);
  });

  test('bytes that are not a trend are poison with a reason', () => {
    expect(() => decodeTrend(Buffer.from('{"sku":"x"}'))).toThrow(/single-object marker/);
    const good = encodeTrend(trend());
    expect(() => decodeTrend(good.subarray(0, 20))).toThrow(/cannot decode/);
  });
});

interface EnumSchema { type: 'enum'; name: string; symbols: string[] }
function isEnum(t: unknown): t is EnumSchema {
  return typeof t === 'object' && t !== null && (t as { type?: string }).type === 'enum';
}
function stripDocs(t: unknown): unknown {
  if (Array.isArray(t)) return t.map(stripDocs);
  if (typeof t !== 'object' || t === null) return t;
  return Object.fromEntries(Object.entries(t).filter(([k]) => k !== 'doc').map(([k, v]) => [k, stripDocs(v)]));
}
