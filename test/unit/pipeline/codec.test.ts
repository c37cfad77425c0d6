import type { Schema } from 'avsc';
import { AvroCodec, codecFor } from '../../../shared/avro/codec';
import { rabinFingerprint } from '../../../shared/avro/fingerprint';
import { PoisonMessageError } from '../../../shared/errors';
import type { OrderEvent } from '../../../shared/domain/events';

const order: OrderEvent = { eventId: 'e1', eventTime: Date.UTC(2011, 0, 5), sku: '21754', orderId: '536367', kind: 'ORDER', quantity: 3, unitPrice: 5.95, currency: 'GBP', customerId: null, country: 'United Kingdom' };

describe('Avro single-object codec', () => {
  test('CRC-64-AVRO matches the specification value for "null"', () => {
    // Avro spec / Java SchemaNormalization: fingerprint64("null") = 0x63dd24e7cc258f8a
    expect(rabinFingerprint('"null"').readBigUInt64LE()).toBe(0x63dd24e7cc258f8an);
  });

  test('round trip with the marker and fingerprint', () => {
    const c = codecFor<OrderEvent>('order');
    const buf = c.encode(order);
    expect(buf.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    expect(buf.subarray(2, 10)).toEqual(c.fingerprint);
    expect(c.decode(buf)).toEqual({ value: expect.objectContaining(order), via: 'exact' });
  });

  test('a projected codec decodes only the named fields, and still rejects truncated or trailing bytes', () => {
    const full = codecFor<OrderEvent>('order');
    const facts = codecFor<Partial<OrderEvent>>('order', false, ['eventId', 'eventTime', 'sku', 'kind', 'quantity', 'unitPrice']);
    const buf = full.encode({ ...order, customerId: '17850' });
    const { value } = facts.decode(buf);
    expect(value).toEqual({ eventId: 'e1', eventTime: order.eventTime, sku: '21754', kind: 'ORDER', quantity: 3, unitPrice: 5.95 });
    expect(() => facts.decode(buf.subarray(0, buf.length - 2))).toThrow(PoisonMessageError);
    expect(() => facts.decode(Buffer.concat([buf, Buffer.from([0])]))).toThrow(/trailing/);
    expect(() => codecFor('order', false, ['eventId', 'nope'])).toThrow(/no field nope/);
  });

  test('garbage, truncation and a foreign schema are poison with a reason', () => {
    const c = codecFor<OrderEvent>('order');
    const good = c.encode(order);
    expect(() => c.decode(Buffer.from('not avro at all'))).toThrow(/single-object marker/);
    expect(() => c.decode(good.subarray(0, good.length - 3))).toThrow(PoisonMessageError);
    const listing = codecFor('listing').encode({ eventId: 'l', eventTime: 1e12, sku: 'A', title: 't', description: '', category: null, brand: null, price: 1, currency: 'GBP' });
    expect(() => c.decode(listing)).toThrow(/not a known version of trendcast.events.OrderEvent/);
  });

  test('encode refuses a value that does not match, naming the field', () => {
    expect(() => codecFor<OrderEvent>('order').encode({ ...order, quantity: 1.5 })).toThrow(/quantity/);
  });

  test('a reader resolves an older known writer and reads an unknown newer one as a prefix', () => {
    const v1: Schema = { type: 'record', name: 'T', fields: [{ name: 'a', type: 'string' }] };
    const v2: Schema = { type: 'record', name: 'T', fields: [{ name: 'a', type: 'string' }, { name: 'b', type: 'int', default: 7 }] };
    const w1 = new AvroCodec<{ a: string }>(v1);
    const r2 = new AvroCodec<{ a: string; b: number }>(v2, [v1]);
    expect(r2.decode(w1.encode({ a: 'x' }))).toEqual({ value: expect.objectContaining({ a: 'x', b: 7 }), via: 'resolved' });
    const w2 = new AvroCodec<{ a: string; b: number }>(v2);
    const lenient = new AvroCodec<{ a: string }>(v1, [], true);
    expect(lenient.decode(w2.encode({ a: 'y', b: 3 }))).toEqual({ value: expect.objectContaining({ a: 'y' }), via: 'prefix' });
    expect(() => new AvroCodec<{ a: string }>(v1).decode(w2.encode({ a: 'y', b: 3 }))).toThrow(/UNKNOWN|not a known version/);
  });
});
