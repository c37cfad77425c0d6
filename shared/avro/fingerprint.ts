/**
 * CRC-64-AVRO (Rabin) fingerprint of a schema's Parsing Canonical Form, as the Avro specification
 * defines for single-object encoding. avsc only offers md5/sha fingerprints, hence this.
 */
const EMPTY = 0xc15d213aa4d7a795n;
const MASK = 0xffffffffffffffffn;

const TABLE: bigint[] = (() => {
  const t: bigint[] = [];
  for (let i = 0; i < 256; i++) {
    let fp = BigInt(i);
    for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n) & MASK);
    t.push(fp & MASK);
  }
  return t;
})();

export function rabinFingerprint(canonical: string): Buffer {
  let fp = EMPTY;
  for (const byte of Buffer.from(canonical, 'utf8')) fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(byte)) & 0xffn)];
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(fp & MASK);
  return out;
}
