import type { RawOrder } from '../domain/events';
import { sameFingerprint } from './codec';

/**
 * Reads an order message of the current schema (schemas/order.avsc, single-object encoding) into a
 * RawOrder without decoding its strings or making an object: the order consumer's fast path, run
 * for every message. It knows exactly one writer version (ORDER_READER_FINGERPRINT), and answers
 * false for anything else: another version, a truncated or padded datum, an enum or union index out
 * of range, a long past 2^52 in magnitude. Those messages take AvroCodec.decode, which reads what
 * avsc can and gives the reason for what it cannot, so the fast path changes no outcome, only the cost.
 * The field order below is the schema's; test/unit/pipeline/order-reader.test.ts checks both
 * against avsc on random orders.
 */
export function readRawOrder(buf: Uint8Array, out: RawOrder): boolean {
  const ok = read(buf, out);
  reader.reset(EMPTY, 0); // holds no message (and so no fetched batch) between calls
  return ok;
}

const EMPTY = new Uint8Array(0);

/**
 * The CRC-64-AVRO fingerprint of the schemas/order.avsc whose layout `read` follows. An edited
 * schema has another, so its messages take avsc until this reader is brought up to date (the unit
 * test compares the two).
 */
export const ORDER_READER_FINGERPRINT = '01a4922756b10b4f';
const FINGERPRINT = Buffer.from(ORDER_READER_FINGERPRINT, 'hex');

function read(buf: Uint8Array, out: RawOrder): boolean {
  const end = buf.length;
  if (end < 10 || buf[0] !== 0xc3 || buf[1] !== 0x01 || !sameFingerprint(buf, FINGERPRINT)) return false;
  const r = reader.reset(buf, 10);
  // eventId: string
  const idLen = r.long();
  if (!(idLen >= 0) || r.pos + idLen > end) return false;
  out.idStart = r.pos;
  out.idEnd = r.pos += idLen;
  // eventTime: long
  out.eventTime = r.long();
  // sku: string
  const skuLen = r.long();
  if (!(skuLen >= 0) || r.pos + skuLen > end) return false;
  out.skuStart = r.pos;
  out.skuEnd = r.pos += skuLen;
  // orderId: string, skipped
  if (!r.skipString()) return false;
  // kind: enum of 3 symbols
  const kind = r.long();
  if (!(kind >= 0 && kind <= 2)) return false;
  out.kind = kind;
  // quantity: int
  const q = r.long();
  if (!(q >= -0x80000000 && q <= 0x7fffffff)) return false;
  out.quantity = q;
  // unitPrice: double
  if (r.pos + 8 > end) return false;
  out.unitPrice = readDoubleLE(buf, r.pos);
  r.pos += 8;
  // currency: string; customerId, country: union [null, string]
  if (!r.skipString()) return false;
  for (let u = 0; u < 2; u++) {
    const branch = r.long();
    if (branch === 1) {
      if (!r.skipString()) return false;
    } else if (branch !== 0) return false;
  }
  return !r.failed && r.pos === end;
}

/** Avro's zigzag varints, as exact doubles up to 2^53 (values up to 2^52 in magnitude); past that, or past the end, `failed` is set (and NaN read). */
class LongReader {
  failed = false;
  pos = 0;
  private buf: Uint8Array = EMPTY;

  /** One reader for every message (no object per message): reads of a message do not interleave. */
  reset(buf: Uint8Array, pos: number): this {
    this.buf = buf;
    this.pos = pos;
    this.failed = false;
    return this;
  }

  long(): number {
    const buf = this.buf;
    let n = 0;
    let mul = 1;
    let b: number;
    do {
      if (this.pos >= buf.length || mul > 2 ** 49) {
        this.failed = true;
        return NaN;
      }
      b = buf[this.pos++];
      n += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80);
    if (n > Number.MAX_SAFE_INTEGER) {
      this.failed = true;
      return NaN;
    }
    // zigzag: even n -> n / 2, odd n -> -(n + 1) / 2 (no bit operators: n may pass 2^32)
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  skipString(): boolean {
    const len = this.long();
    if (!(len >= 0) || this.pos + len > this.buf.length) return false;
    this.pos += len;
    return true;
  }
}

const reader = new LongReader();
const scratch = new DataView(new ArrayBuffer(8));

function readDoubleLE(buf: Uint8Array, at: number): number {
  for (let i = 0; i < 8; i++) scratch.setUint8(i, buf[at + i]);
  return scratch.getFloat64(0, true);
}
