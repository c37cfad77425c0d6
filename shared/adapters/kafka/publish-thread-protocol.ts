/** Messages between ThreadedPublisher and its worker (threaded-publisher.ts, publish-thread-worker.ts), and the packing of a publish. */
import type { OutboundMessage } from '../transport';
import type { KafkaSettings } from './client';

/** What the thread is started with. */
export interface PublishThreadData {
  entry: string;
  kafka: KafkaSettings;
  service: string;
  logLevel: string;
}

export type PublishRequest =
  | { kind: 'connect'; id: number }
  | { kind: 'disconnect'; id: number }
  | { kind: 'publish'; id: number; topic: string; packed: PackedMessages };

export type PublishReply = { id: number; ok: true } | { id: number; ok: false; error: string };

/**
 * A publish's messages: their values end to end in one ArrayBuffer (transferred, not copied, with
 * the request), where value i is bytes [ends[i - 1], ends[i]); keys and headers cloned. Why: the
 * Avro writer's values share Node's pooled buffers, which cannot be transferred, and cloning a
 * Buffer per message would make an ArrayBuffer per message on both sides.
 */
export interface PackedMessages {
  keys: string[];
  /** null when no message has headers. */
  headers: (Record<string, string> | null)[] | null;
  bytes: ArrayBuffer;
  ends: Uint32Array;
}

export function packMessages(messages: OutboundMessage[]): PackedMessages {
  let total = 0;
  for (const m of messages) total += m.value.length;
  const bytes = new Uint8Array(total);
  const ends = new Uint32Array(messages.length);
  let at = 0;
  messages.forEach((m, i) => {
    bytes.set(m.value, at);
    at += m.value.length;
    ends[i] = at;
  });
  const headers = messages.some((m) => m.headers !== undefined) ? messages.map((m) => m.headers ?? null) : null;
  return { keys: messages.map((m) => m.key), headers, bytes: bytes.buffer, ends };
}

/** The messages again, their values views into the one buffer (no copy). */
export function unpackMessages(p: PackedMessages): OutboundMessage[] {
  return p.keys.map((key, i) => {
    const from = i === 0 ? 0 : p.ends[i - 1];
    const value = Buffer.from(p.bytes, from, p.ends[i] - from);
    const h = p.headers?.[i];
    return h ? { key, value, headers: h } : { key, value };
  });
}

/** The buffers to transfer with a publish request. */
export const transferOf = (p: PackedMessages): ArrayBuffer[] => [p.bytes, p.ends.buffer as ArrayBuffer];
