/**
 * Streaming CSV reader (RFC 4180: quoted fields, doubled quotes, commas and newlines inside quotes),
 * for plain or gzip files. Streaming because the dev file is 37 MB uncompressed and the loader only
 * needs one pass; gzip is detected from the magic bytes, not the file name, so a renamed file still works.
 */
import { closeSync, createReadStream, existsSync, openSync, readSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

export class CsvError extends Error {
  constructor(message: string, readonly file: string) {
    super(`${file}: ${message}`);
    this.name = 'CsvError';
  }
}

function isGzip(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(2);
    const n = readSync(fd, buf, 0, 2, 0);
    return n === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

export function openText(file: string): Readable {
  if (!existsSync(file)) throw new CsvError('no such file', file);
  const gz = isGzip(file);
  const raw = createReadStream(file);
  if (!gz) return raw.setEncoding('utf8');
  const gunzip = createGunzip();
  // pipe() does not forward errors: a read error must still reach the consumer of the gunzip stream.
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip).setEncoding('utf8');
}

/** Incremental parser: feed chunks, get completed records. Kept separate from I/O so tests can drive it. */
export class CsvParser {
  private field = '';
  private record: string[] = [];
  private inQuotes = false;
  /** The previous char was a quote inside a quoted field: either an escaped quote or the closing one. */
  private quotePending = false;
  private lastWasCR = false;

  push(chunk: string, out: string[][]): void {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (c === '"') {
            this.field += '"';
            continue;
          }
          this.inQuotes = false; // closing quote; fall through to treat c unquoted
        } else if (c === '"') {
          this.quotePending = true;
          continue;
        } else {
          this.field += c;
          continue;
        }
      }
      this.unquoted(c, out);
    }
  }

  private unquoted(c: string, out: string[][]): void {
    const wasCR = this.lastWasCR;
    this.lastWasCR = false;
    if (c === '"' && this.field.length === 0) this.inQuotes = true;
    else if (c === ',') this.endField();
    else if (c === '\n') {
      if (!wasCR) this.endRecord(out);
    } else if (c === '\r') {
      this.lastWasCR = true;
      this.endRecord(out);
    } else this.field += c;
  }

  private endField(): void {
    this.record.push(this.field);
    this.field = '';
  }

  private endRecord(out: string[][]): void {
    this.endField();
    // A blank line yields [''], which is not a record.
    if (!(this.record.length === 1 && this.record[0] === '')) out.push(this.record);
    this.record = [];
  }

  end(out: string[][]): void {
    if (this.inQuotes && this.quotePending) this.inQuotes = false;
    if (this.inQuotes) throw new Error('unterminated quoted field at end of input');
    if (this.field.length > 0 || this.record.length > 0) this.endRecord(out);
  }
}

/** Yields records as objects keyed by the header row. Throws CsvError naming the file and line on a ragged row. */
export async function* readCsv(file: string): AsyncGenerator<Record<string, string>> {
  const parser = new CsvParser();
  let header: string[] | undefined;
  let line = 0;
  const toObj = (r: string[]): Record<string, string> => {
    line++;
    if (!header) throw new CsvError('missing header', file);
    if (r.length !== header.length) throw new CsvError(`record ${line} has ${r.length} fields, header has ${header.length}`, file);
    const o: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) o[header[i]] = r[i];
    return o;
  };
  let buf: string[][] = [];
  for await (const chunk of openText(file)) {
    parser.push(chunk as string, buf);
    for (const r of buf) {
      if (!header) header = r.map((h) => h.replace(/^\uFEFF/, '').trim());
      else yield toObj(r);
    }
    buf = [];
  }
  try {
    parser.end(buf);
  } catch (e) {
    throw new CsvError((e as Error).message, file);
  }
  for (const r of buf) {
    if (!header) header = r;
    else yield toObj(r);
  }
}

/** Serialises one field, quoting only when needed (same convention as the source file). */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
