import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CsvParser, csvField, readCsv } from '../../../shared/backtest/csv';

const TEXT = 'a,b,c\r\n1,"x, y",3\r\n2,"say ""hi""","multi\nline"\r\n\r\n3,,z\r\n';

function parseChunks(chunks: string[]): string[][] {
  const p = new CsvParser();
  const out: string[][] = [];
  for (const c of chunks) p.push(c, out);
  p.end(out);
  return out;
}

describe('CsvParser', () => {
  it('handles quoted commas, doubled quotes, newlines inside quotes, CRLF and blank lines', () => {
    expect(parseChunks([TEXT])).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', '3'],
      ['2', 'say "hi"', 'multi\nline'],
      ['3', '', 'z'],
    ]);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const whole = parseChunks([TEXT]);
    expect(parseChunks(TEXT.split(''))).toEqual(whole);
    expect(parseChunks([TEXT.slice(0, 17), TEXT.slice(17, 18), TEXT.slice(18)])).toEqual(whole);
  });

  it('rejects an unterminated quote', () => {
    expect(() => parseChunks(['a,"b\n'])).toThrow(/unterminated/);
  });

  it('csvField round-trips through the parser', () => {
    const fields = ['plain', 'with,comma', 'with "quote"', 'RECORD FRAME 7" SINGLE'];
    expect(parseChunks([fields.map(csvField).join(',') + '\n'])).toEqual([fields]);
  });
});

describe('readCsv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csv-'));

  it('reads plain and gzip files alike (gzip detected from the bytes, not the name)', async () => {
    const plain = join(dir, 'p.csv');
    const gz = join(dir, 'g.csv'); // no .gz suffix on purpose
    writeFileSync(plain, TEXT);
    writeFileSync(gz, gzipSync(Buffer.from(TEXT)));
    const read = async (f: string) => {
      const rows = [];
      for await (const r of readCsv(f)) rows.push(r);
      return rows;
    };
    const a = await read(plain);
    expect(a).toEqual(await read(gz));
    expect(a[1]).toEqual({ a: '2', b: 'say "hi"', c: 'multi\nline' });
  });

  it('names the file and record on a ragged row', async () => {
    const f = join(dir, 'bad.csv');
    writeFileSync(f, 'a,b\n1,2\n3\n');
    const run = async () => {
      for await (const _ of readCsv(f)) void _;
    };
    await expect(run()).rejects.toThrow(/bad\.csv: record 2 has 1 fields, header has 2/);
  });
});
