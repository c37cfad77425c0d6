import * as net from 'net';
import { freePort } from './services';

export interface TcpProxy {
  /** The port clients connect to (on 127.0.0.1). */
  port: number;
  /** Connections accepted so far (a client that reconnects makes a new one). */
  readonly accepted: number;
  /** Bytes stop flowing both ways; every socket stays open; new connections are accepted and held. */
  partition(): void;
  /** Bytes flow again: what was held is delivered, in order, and held connections reach the target. */
  heal(): void;
  /** Every connection reset at once (a middlebox or the server's host restarting); new ones are forwarded as before. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * A TCP relay in front of a server (Redis, a broker) that a test can partition from its clients:
 * packets silently stop, as when a switch or a security group drops them, instead of the server
 * going away (a stopped server closes its sockets, and the client learns it at once).
 *
 * What a partition means here, and why. In a real partition TCP loses nothing: unacknowledged
 * segments are retransmitted, and when the path heals before either end gives up (the
 * retransmission timeout, ~15 min on Linux), the old connection carries on and the bytes sent
 * meanwhile arrive late, in order. So this proxy holds bytes rather than dropping them: partition()
 * stops reading from both sides (what arrived in the same tick is kept) and heal() delivers it all
 * and reads again. A connection made during the partition is accepted but not connected on (its
 * SYN would be retransmitted, not refused); heal() connects it to the target and delivers what the
 * client sent meanwhile, so a client still waiting on it sees it work, late. The only thing that
 * ends a connection is an end giving up: a client that destroys its socket during the partition
 * is closed at once on its side, but the FIN reaches the server only on heal, as it would.
 *
 * One difference a test must keep in mind: the client's socket is to the proxy, on the loopback,
 * so the client's kernel sees every segment acknowledged and TCP keep-alive probes answered.
 * Only what the client does itself (a command or socket timeout) notices this partition; in a real
 * one keep-alive would too, eventually.
 */
export async function startTcpProxy(target: { host: string; port: number }, port?: number): Promise<TcpProxy> {
  port ??= await freePort();
  let partitioned = false;
  let accepted = 0;
  const pipes = new Set<Pipe>();
  const server = net.createServer((client) => {
    accepted++;
    const p = new Pipe(client, target, () => pipes.delete(p));
    pipes.add(p);
    if (!partitioned) p.open();
    else client.pause();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port,
    get accepted() {
      return accepted;
    },
    partition: () => {
      partitioned = true;
      for (const p of pipes) p.hold();
    },
    heal: () => {
      partitioned = false;
      for (const p of [...pipes]) p.release();
    },
    reset: () => {
      for (const p of [...pipes]) p.destroy(true);
    },
    close: async () => {
      for (const p of [...pipes]) p.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** One client connection and its connection to the target, with the bytes held while partitioned. */
class Pipe {
  private upstream: net.Socket | null = null;
  private held = false;
  /** Bytes read from each side during the partition, for the other side, in arrival order. */
  private readonly toTarget: Buffer[] = [];
  private readonly toClient: Buffer[] = [];
  /** An end closed during the partition: the other end learns it on heal. */
  private clientGone = false;
  private targetGone = false;

  constructor(private readonly client: net.Socket, private readonly target: { host: string; port: number }, private readonly onDone: () => void) {
    client.on('error', () => undefined);
    client.on('data', (d) => this.forward(d, this.toTarget, () => this.upstream));
    client.on('close', () => this.ended('client'));
  }

  /** Connects to the target and forwards both ways. */
  open(): void {
    const up = net.connect(this.target.port, this.target.host);
    this.upstream = up;
    up.on('error', () => undefined);
    up.on('data', (d) => this.forward(d, this.toClient, () => this.client));
    up.on('close', () => this.ended('target'));
    if (this.held) up.pause();
  }

  hold(): void {
    this.held = true;
    this.client.pause();
    this.upstream?.pause();
  }

  release(): void {
    this.held = false;
    if (this.clientGone) return this.destroy();
    if (!this.upstream) this.open();
    for (const d of this.toTarget.splice(0)) this.upstream!.write(d);
    for (const d of this.toClient.splice(0)) this.client.write(d);
    if (this.targetGone) return this.destroy();
    this.client.resume();
    this.upstream!.resume();
  }

  /** reset: an RST to both ends (nothing held is delivered), not a FIN. */
  destroy(reset = false): void {
    for (const s of [this.client, this.upstream]) {
      if (!s || s.destroyed) continue;
      if (reset) s.resetAndDestroy();
      else s.destroy();
    }
    this.onDone();
  }

  private forward(d: Buffer, queue: Buffer[], to: () => net.Socket | null): void {
    const dst = to();
    if (this.held || !dst) queue.push(d);
    else dst.write(d);
  }

  private ended(side: 'client' | 'target'): void {
    if (side === 'client') this.clientGone = true;
    else this.targetGone = true;
    // during the partition the other end cannot learn it yet; after, it does at once
    if (!this.held) this.destroy();
  }
}
