import * as crypto from 'crypto';
import type Redis from 'ioredis';
import { Command } from 'ioredis';

/** An argument of a command as it goes on the wire: a number is sent as its decimal string (String(n)), as ioredis does. */
export type RespArg = string | number | Buffer;

/**
 * The RESP frame of a command (`*<n>` then `$<len>` and the bytes of each argument), from lists of
 * arguments taken in order, written once into one buffer.
 * Why: ioredis builds a command by flattening its arguments, then copies each into a buffer of its
 * own (MixedBuffers), then copies those again into the auto-pipeline's buffer. For the order
 * consumer's script calls (hundreds of arguments, tens of kilobytes each) that was a tenth of its
 * main thread. A frame is built here, in one copy, and handed to ioredis as is (FrameCommand).
 */
export function respFrame(...lists: readonly (readonly RespArg[])[]): Buffer {
  let count = 0;
  let size = 0;
  for (const list of lists) {
    for (const a of list) {
      const len = argLength(a);
      size += 1 + digits(len) + 2 + len + 2;
      count++;
    }
  }
  size += 1 + digits(count) + 2;
  const out = Buffer.allocUnsafe(size);
  let at = writeHeader(out, 0, 0x2a, count);
  for (const list of lists) {
    for (const a of list) {
      if (Buffer.isBuffer(a)) {
        at = writeHeader(out, at, 0x24, a.length);
        at += a.copy(out, at);
      } else {
        const s = typeof a === 'number' ? String(a) : a;
        at = writeHeader(out, at, 0x24, Buffer.byteLength(s, 'utf8'));
        at += out.write(s, at, 'utf8');
      }
      out[at++] = 0x0d;
      out[at++] = 0x0a;
    }
  }
  return out;
}

function argLength(a: RespArg): number {
  if (Buffer.isBuffer(a)) return a.length;
  return Buffer.byteLength(typeof a === 'number' ? String(a) : a, 'utf8');
}

function digits(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/** `*<n>\r\n` or `$<n>\r\n` at `at`; returns the position after it. */
function writeHeader(out: Buffer, at: number, mark: number, n: number): number {
  out[at++] = mark;
  at += out.write(String(n), at, 'latin1');
  out[at++] = 0x0d;
  out[at++] = 0x0a;
  return at;
}

/**
 * A command whose frame is already built. Going through ioredis's sendCommand keeps what the client
 * does for every command: the command timeout, the offline queue while disconnected, sending again
 * after a reconnect (toWritable returns the same frame), the reply's parsing.
 */
class FrameCommand extends Command {
  constructor(name: string, private readonly frame: Buffer) {
    super(name, []);
  }

  override toWritable(): Buffer {
    return this.frame;
  }
}

/** A Lua script sent by its SHA1 (EVALSHA), loaded again when the server does not know it (NOSCRIPT: a restart or SCRIPT FLUSH). */
export class FramedScript {
  readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = crypto.createHash('sha1').update(lua).digest('hex');
  }

  /** The frame of EVALSHA with these lists of arguments after the SHA (the number of keys first). */
  frame(...lists: readonly (readonly RespArg[])[]): Buffer {
    return respFrame(['EVALSHA', this.sha], ...lists);
  }

  async send<T>(redis: Redis, frame: Buffer): Promise<T> {
    try {
      return await sendFrame<T>(redis, frame);
    } catch (err) {
      if (!/^NOSCRIPT/.test((err as Error).message ?? '')) throw err;
      await redis.script('LOAD', this.lua);
      return sendFrame<T>(redis, frame);
    }
  }
}

function sendFrame<T>(redis: Redis, frame: Buffer): Promise<T> {
  const cmd = new FrameCommand('evalsha', frame);
  void redis.sendCommand(cmd);
  return cmd.promise as Promise<T>;
}
