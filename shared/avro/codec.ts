import * as fs from 'fs';
import * as path from 'path';
import * as avro from 'avsc';
import { PoisonMessageError } from '../errors';
import { rabinFingerprint } from './fingerprint';
import { TREND_WRITER_FINGERPRINT, writeTrend } from './trend-writer';

/**
 * Avro single-object encoding (spec 1.10+): 0xC3 0x01, the writer schema's 8-byte CRC-64-AVRO
 * fingerprint, then the binary datum. The fingerprint lets a reader pick the writer schema among the
 * versions it knows (schemas/<name>.avsc and schemas/history/<name>.v*.avsc) and resolve it to its own.
 * A writer schema it does not know is read with its own schema as a prefix: that is sound because
 * our compatibility rule (docs/trends-schema.md) only ever appends defaulted fields at the end of the
 * top-level record, whose bytes then simply follow the ones an older reader understands.
 */
const MAGIC = Buffer.from([0xc3, 0x01]);
export const SCHEMA_DIR = path.resolve(__dirname, '..', '..', 'schemas');

export type SchemaName = 'order' | 'review' | 'listing' | 'trend' | 'inventory' | 'restock-alert';

export interface DecodeResult<T> {
  value: T;
  /** 'exact' = same schema, 'resolved' = known older/newer version, 'prefix' = unknown newer writer. */
  via: 'exact' | 'resolved' | 'prefix';
}

export class AvroCodec<T> {
  readonly type: avro.Type;
  readonly fingerprint: Buffer;
  private readonly resolvers = new Map<string, avro.Resolver>();

  /**
   * `acceptUnknownWriters`: read messages of writer schemas this process does not know as a prefix
   * (consumers of `trends` that must survive a producer's upgrade). Off for the input topics,
   * where a message of an unknown schema is a producer's mistake and goes to the DLQ.
   */
  /** What decode() reads into: the schema itself, or its projection on `readerFields`. */
  private readonly reader: avro.Type;
  /** Set when decoding projects messages of this schema's own version. */
  private readonly projection?: avro.Resolver;

  /**
   * `readerFields`: decode only these top-level fields (an Avro reader schema that drops the
   * others), for a consumer that needs a few fields of a large message: the skipped ones are not
   * materialized. Not with acceptUnknownWriters (a prefix read needs the whole schema).
   */
  constructor(schema: avro.Schema, knownWriters: avro.Schema[] = [], private readonly acceptUnknownWriters = false, readerFields?: string[]) {
    this.type = avro.Type.forSchema(schema);
    this.fingerprint = fingerprintOf(this.type);
    this.header = Buffer.concat([MAGIC, this.fingerprint]);
    // the writer implements one version of the schema: any other (an edited trend.avsc) falls back to avsc
    if (this.fingerprint.toString('hex') === TREND_WRITER_FINGERPRINT) this.writer = writeTrend as unknown as (value: T, header: Buffer) => Buffer;
    if (readerFields && acceptUnknownWriters) throw new Error('a projected codec cannot read unknown writers');
    this.reader = readerFields ? projected(schema, readerFields) : this.type;
    if (readerFields) this.projection = this.reader.createResolver(this.type);
    for (const w of knownWriters) {
      const writer = avro.Type.forSchema(w);
      const fp = fingerprintOf(writer).toString('hex');
      if (fp !== this.fingerprint.toString('hex')) this.resolvers.set(fp, this.reader.createResolver(writer));
    }
  }

  /** A hand-written writer of this exact schema (header + datum), when there is one: trend-writer.ts. */
  private readonly writer?: (value: T, header: Buffer) => Buffer;
  private readonly header: Buffer;

  encode(value: T): Buffer {
    if (this.writer) return this.writer(value, this.header);
    if (!this.type.isValid(value)) {
      const paths: string[] = [];
      this.type.isValid(value, { errorHook: (p) => paths.push(p.join('.') || '(root)') });
      throw new PoisonMessageError('VALIDATION_FAILED', `value does not match schema ${this.type.name}: ${paths.join(', ')}`);
    }
    return Buffer.concat([MAGIC, this.fingerprint, this.type.toBuffer(value)]);
  }

  decode(buf: Buffer | null | undefined): DecodeResult<T> {
    if (!buf || buf.length < 10) throw new PoisonMessageError('DECODE_FAILED', `message too short for Avro single-object encoding (${buf?.length ?? 0} bytes)`);
    if (buf[0] !== MAGIC[0] || buf[1] !== MAGIC[1]) throw new PoisonMessageError('DECODE_FAILED', 'missing Avro single-object marker C3 01');
    try {
      // the hot path (a consumer decodes every message) compares and reads in place, without views
      if (sameFingerprint(buf, this.fingerprint)) {
        const { value, offset } = this.reader.decode(buf, 10, this.projection);
        if (offset !== buf.length) throw new Error(offset < 0 ? 'truncated datum' : `${buf.length - offset} trailing bytes`);
        return { value: value as T, via: 'exact' };
      }
      const fp = buf.subarray(2, 10);
      const body = buf.subarray(10);
      const resolver = this.resolvers.get(fp.toString('hex'));
      if (resolver) return { value: this.reader.fromBuffer(body, resolver, true) as T, via: 'resolved' };
      if (!this.acceptUnknownWriters) throw new PoisonMessageError('UNKNOWN_SCHEMA', `writer schema fingerprint ${fp.toString('hex')} is not a known version of ${this.type.name}`);
      const { value, offset } = this.type.decode(body, 0);
      if (offset < 0 || value === undefined) throw new Error('truncated datum');
      return { value: value as T, via: 'prefix' };
    } catch (err) {
      if (err instanceof PoisonMessageError) throw err;
      throw new PoisonMessageError('DECODE_FAILED', `cannot decode ${this.type.name}: ${(err as Error).message}`, err);
    }
  }
}

/** Bytes 2..10 of `buf` (after the marker) equal `fp`: a loop, since Buffer#compare with ranges costs ~0.3 us a call. */
export function sameFingerprint(buf: Uint8Array, fp: Uint8Array): boolean {
  for (let i = 0; i < 8; i++) if (buf[2 + i] !== fp[i]) return false;
  return true;
}

function projected(schema: avro.Schema, fields: string[]): avro.Type {
  const rec = schema as { fields: { name: string }[] };
  const missing = fields.filter((f) => !rec.fields.some((x) => x.name === f));
  if (missing.length) throw new Error(`schema has no field ${missing.join(', ')}`);
  return avro.Type.forSchema({ ...(schema as object), fields: rec.fields.filter((f) => fields.includes(f.name)) } as avro.Schema);
}

export function fingerprintOf(type: avro.Type): Buffer {
  return rabinFingerprint(JSON.stringify(type.schema()));
}

export function loadSchema(name: string, dir = SCHEMA_DIR): avro.Schema {
  return JSON.parse(fs.readFileSync(path.join(dir, `${name}.avsc`), 'utf8')) as avro.Schema;
}

/** Older versions kept for resolution: schemas/history/<name>.v<N>.avsc. */
export function loadHistory(name: string, dir = SCHEMA_DIR): avro.Schema[] {
  const hist = path.join(dir, 'history');
  if (!fs.existsSync(hist)) return [];
  return fs
    .readdirSync(hist)
    .filter((f) => f.startsWith(`${name}.v`) && f.endsWith('.avsc'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(hist, f), 'utf8')) as avro.Schema);
}

const cache = new Map<string, AvroCodec<unknown>>();

/** Codecs are compiled once per process and cached; `readerFields`: see AvroCodec. */
export function codecFor<T>(name: SchemaName, acceptUnknownWriters = false, readerFields?: readonly string[]): AvroCodec<T> {
  const key = `${name}/${acceptUnknownWriters}/${readerFields?.join(',') ?? '*'}`;
  let c = cache.get(key);
  if (!c) {
    c = new AvroCodec<unknown>(loadSchema(name), loadHistory(name), acceptUnknownWriters, readerFields ? [...readerFields] : undefined);
    cache.set(key, c);
  }
  return c as AvroCodec<T>;
}
