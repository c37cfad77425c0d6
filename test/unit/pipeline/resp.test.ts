import { Command } from 'ioredis';
import { FramedScript, respFrame } from '../../../shared/adapters/redis/resp';

/** What ioredis itself writes for a command (its buffer mode, as for any command with a Buffer argument). */
function ioredisFrame(name: string, args: (string | number | Buffer)[]): Buffer {
  const w = new Command(name, args).toWritable({} as never);
  return Buffer.isBuffer(w) ? w : Buffer.from(w, 'utf8');
}

describe('respFrame', () => {
  it('writes the same bytes as ioredis: strings (UTF-8 too), numbers as String(n), Buffers (empty too)', () => {
    const bin = Buffer.from(Float64Array.from([1.5, -2, 1e300]).buffer);
    const args = ['key:{A}', 'naïve ✓', 0.25, 1e21, -3, 1722470400000, Buffer.alloc(0), bin, '', 12345678901];
    expect(respFrame(['EVALSHA'], args.slice(0, 4), [], args.slice(4))).toEqual(ioredisFrame('EVALSHA', args));
  });

  it('counts the arguments of every list in its header, with lengths of any number of digits', () => {
    const many = Array.from({ length: 1234 }, (_, i) => 'x'.repeat(i % 13));
    const frame = respFrame(many.slice(0, 600), many.slice(600));
    expect(frame).toEqual(ioredisFrame(many[0], many.slice(1)));
    expect(frame.subarray(0, 8).toString()).toBe('*1234\r\n$');
  });

  it('frames EVALSHA with the SHA1 of the script', () => {
    const s = new FramedScript('return 1');
    expect(s.sha).toBe('e0e1f9fabfc9d4800c877a703b823ac0578ff8db');
    expect(s.frame([0]).toString()).toBe(`*3\r\n$7\r\nEVALSHA\r\n$40\r\n${s.sha}\r\n$1\r\n0\r\n`);
  });
});
