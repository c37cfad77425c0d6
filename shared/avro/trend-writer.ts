import { PoisonMessageError } from '../errors';

/**
 * The Avro binary datum of a Trend (schemas/trend.avsc, v3), written by hand: the forecaster encodes
 * one per product per pass, and avsc's generic writer with its isValid took 9-10 us each, this one
 * 5 (BENCHMARKS.md, Session 7). It writes the same bytes as avsc's `toBuffer` for every value avsc accepts
 * (unit test: test/unit/pipeline/trend-writer.test.ts, which also pins the schema it implements by
 * its fingerprint), and rejects what avsc's `isValid` rejects, naming the field. The one difference:
 * a lone UTF-16 surrogate in a string is written as U+FFFD (what Buffer does), where avsc writes
 * invalid UTF-8 for short strings.
 *
 * `writeTrend(t, header)` returns header + datum in one Buffer (the single-object encoding's marker
 * and fingerprint), so encoding a message is one copy out of a scratch buffer.
 */

/**
 * The record as schemas/trend.avsc defines it (the Avro layer does not import the domain; the
 * domain's Trend is this shape).
 */
export interface TrendRecord {
  sku: string;
  generatedAt: number;
  basedOnEventTime: number;
  bucketMs: number;
  horizon: { step: number; bucketStart: number; p10: number; p50: number; p90: number }[];
  direction: string;
  slope: number;
  level: number;
  model: string;
  modelVersion: string;
  category?: string | null;
  leadP90?: number[];
}

/** CRC-64-AVRO fingerprint (hex) of the schema this writer implements; codec.ts uses it only when the schema matches. */
export const TREND_WRITER_FINGERPRINT = '3703b390281834ff';

const DIRECTIONS: Record<string, number> = { RISING: 0, FLAT: 1, FALLING: 2 };

let buf = Buffer.allocUnsafe(16_384);
let pos = 0;

export function writeTrend(t: TrendRecord, header: Buffer): Buffer {
  if (t === null || typeof t !== 'object') invalid('(root)');
  const horizon = t.horizon;
  // fields with a default (category, leadP90) take it when undefined, as in avsc's writer
  const lead = t.leadP90 === undefined ? [] : t.leadP90;
  if (!Array.isArray(horizon)) invalid('horizon');
  if (!Array.isArray(lead)) invalid('leadP90');
  // an upper bound of the size: strings at 3 bytes per UTF-16 unit, numbers at their widest
  const strings = t.sku?.length + t.model?.length + t.modelVersion?.length + (t.category?.length ?? 0);
  const need = header.length + 3 * (strings || 0) + 200 + horizon.length * 40 + lead.length * 8;
  if (buf.length < need) buf = Buffer.allocUnsafe(Math.max(need, 2 * buf.length));
  header.copy(buf, 0);
  pos = header.length;
  str(t.sku) || invalid('sku');
  long(t.generatedAt) || invalid('generatedAt');
  long(t.basedOnEventTime) || invalid('basedOnEventTime');
  long(t.bucketMs) || invalid('bucketMs');
  if (horizon.length > 0) {
    long(horizon.length) || invalid('horizon');
    for (let i = 0; i < horizon.length; i++) {
      const p = horizon[i];
      if (p === null || typeof p !== 'object') invalid(`horizon.${i}`);
      int(p.step) || invalid(`horizon.${i}.step`);
      long(p.bucketStart) || invalid(`horizon.${i}.bucketStart`);
      double(p.p10) || invalid(`horizon.${i}.p10`);
      double(p.p50) || invalid(`horizon.${i}.p50`);
      double(p.p90) || invalid(`horizon.${i}.p90`);
    }
  }
  buf[pos++] = 0; // end of the array's blocks
  // an own property only: 'toString' is no direction (avsc's plain-object lookup takes it)
  if (!Object.prototype.hasOwnProperty.call(DIRECTIONS, t.direction)) invalid('direction');
  buf[pos++] = DIRECTIONS[t.direction] << 1;
  double(t.slope) || invalid('slope');
  double(t.level) || invalid('level');
  str(t.model) || invalid('model');
  str(t.modelVersion) || invalid('modelVersion');
  if (t.category === null || t.category === undefined) buf[pos++] = 0;
  else {
    buf[pos++] = 2; // union branch 1: string
    str(t.category) || invalid('category');
  }
  if (lead.length > 0) {
    long(lead.length) || invalid('leadP90');
    for (let i = 0; i < lead.length; i++) double(lead[i]) || invalid(`leadP90.${i}`);
  }
  buf[pos++] = 0;
  const out = Buffer.allocUnsafe(pos);
  buf.copy(out, 0, 0, pos);
  return out;
}

function invalid(path: string): never {
  throw new PoisonMessageError('VALIDATION_FAILED', `value does not match schema trendcast.trends.Trend: ${path}`);
}

// Each writer returns false, writing nothing, when the value is not of its type: the caller then
// names the field (built only then: a template string per field was most of the cost).

/** Zigzag varint of a safe integer (Avro long), as avsc writes it. */
function long(n: number): boolean {
  // the bounds of avsc's isSafeLong (2 short of Number.MAX_SAFE_INTEGER)
  if (typeof n !== 'number' || n % 1 !== 0 || n > 9007199254740990 || n < -9007199254740990) return false;
  if (n >= -1073741824 && n < 1073741824) {
    let m = n >= 0 ? n << 1 : (~n << 1) | 1;
    while (m > 0x7f) {
      buf[pos++] = (m & 0x7f) | 0x80;
      m >>>= 7;
    }
    buf[pos++] = m;
    return true;
  }
  // past 2^30 (timestamps): the zigzag value as a double, split at 2^28 into two exact integers so
  // each 7-bit group is integer arithmetic (a % per byte on the double cost ~0.2 us per timestamp)
  const f = n >= 0 ? n * 2 : -n * 2 - 1;
  const hi = Math.floor(f / 268435456);
  let lo = f - hi * 268435456;
  for (let k = 0; k < 4; k++) {
    buf[pos++] = (lo & 0x7f) | 0x80; // hi >= 4 here, so every low group has a successor
    lo >>>= 7;
  }
  let m = hi;
  while (m > 0x7f) {
    buf[pos++] = (m & 0x7f) | 0x80;
    m >>>= 7;
  }
  buf[pos++] = m;
  return true;
}

function int(n: number): boolean {
  return n === (n | 0) && long(n);
}

function double(x: number): boolean {
  if (typeof x !== 'number') return false;
  buf.writeDoubleLE(x, pos);
  pos += 8;
  return true;
}

function str(s: string): boolean {
  if (typeof s !== 'string') return false;
  const n = s.length;
  let ascii = true;
  for (let i = 0; i < n; i++) {
    if (s.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    long(n);
    for (let i = 0; i < n; i++) buf[pos++] = s.charCodeAt(i);
    return true;
  }
  const len = Buffer.byteLength(s);
  long(len);
  pos += buf.write(s, pos, len, 'utf8');
  return true;
}
