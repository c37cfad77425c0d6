/**
 * Schema evolution of `trends` (docs/trends-schema.md): consumers built on v1 and v2 read v3 messages,
 * the current reader resolves v1 and v2 messages, and every version in schemas/history relates to the next
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
const v2 = readJson('schemas/history/trend.v2.avsc');
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
    direction: 'RISING', slope: 0.042, level: 17.5, model: 'ets', modelVersion: 'v7', category: 'home decor', leadP90: [4, 11, 21], ...over,
  };
}

describe('trends schema evolution', () => {
  test('consumers built on v1 and on v2 decode a v3 message, every field they know intact', () => {
    const t = trend();
    const v1Reader = new AvroCodec<Omit<Trend, 'category' | 'leadP90'>>(v1 as unknown as Schema, [], true);
    const got1 = v1Reader.decode(encodeTrend(t));
    expect(got1.via).toBe('prefix');
    const { category: _c, leadP90: _l, ...v1Fields } = t;
    expect(got1.value).toEqual(expect.objectContaining(v1Fields));
    expect(got1.value).not.toHaveProperty('category');
    const v2Reader = new AvroCodec<Omit<Trend, 'leadP90'>>(v2 as unknown as Schema, [], true);
    const got2 = v2Reader.decode(encodeTrend(t));
    expect(got2.via).toBe('prefix');
    expect(got2.value).toEqual(expect.objectContaining({ ...v1Fields, category: 'home decor' }));
    expect(got2.value).not.toHaveProperty('leadP90');
  });

  test('the current reader resolves v1 and v2 messages, the new fields taking their defaults', () => {
    const v1Writer = new AvroCodec<Omit<Trend, 'category' | 'leadP90'>>(v1 as unknown as Schema);
    const { category: _c, leadP90: _l, ...old } = trend();
    const got = decodeTrendWithInfo(v1Writer.encode(old));
    expect(got.via).toBe('resolved');
    expect(got.trend).toEqual({ ...old, category: null, leadP90: [] });
    const v2Writer = new AvroCodec<Omit<Trend, 'leadP90'>>(v2 as unknown as Schema);
    const got2 = decodeTrendWithInfo(v2Writer.encode({ ...old, category: 'toys' }));
    expect(got2.via).toBe('resolved');
    expect(got2.trend).toEqual({ ...old, category: 'toys', leadP90: [] });
  });

  test('the current version is v3: history holds v1 and v2, all fingerprints differ', () => {
    expect(versions()).toHaveLength(3);
    const prints = [v1, v2, current].map((sc) => new AvroCodec(sc as unknown as Schema).fingerprint.toString('hex'));
    expect(new Set(prints).size).toBe(3);
    const t = trend();
    const got = decodeTrendWithInfo(encodeTrend(t));
    expect(got.via).toBe('exact');
    expect(got.trend.leadP90).toEqual([4, 11, 21]);
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
