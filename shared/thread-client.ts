/**
 * The main-thread side of a worker thread that answers requests (node:worker_threads): each
 * request gets an id, and the reply with that id settles its promise. Used by the LSTM thread
 * (ml/lstm-thread.ts) and the publisher thread (adapters/kafka/threaded-publisher.ts).
 *
 * An idle thread does not keep the process alive; one with requests pending does. Once the thread
 * has died (it exited, threw, or a request passed its deadline, which terminates it), every pending
 * and later request fails with the caller's deadError, and onDeath is told once.
 */
import * as path from 'path';
import { Worker } from 'worker_threads';

export type ThreadReply = { id: number; ok: true } | { id: number; ok: false; error: string };

interface Hooks {
  /** The error of a request that the dead thread cannot answer. */
  deadError: (cause: Error) => Error;
  /** The error of a request that the thread answered with a failure. */
  replyError: (message: string) => Error;
  /** Told once when the thread dies; `unexpected` is false after close(). */
  onDeath?: (cause: Error, unexpected: boolean) => void;
}

/** A request without its id (over each member of a union of requests). */
export type WithoutId<R> = R extends unknown ? Omit<R, 'id'> : never;

type Pending<R> = { resolve: (r: R) => void; reject: (e: Error) => void; timer?: NodeJS.Timeout };

export class ThreadClient<Req extends { id: number; kind: string }, Rep extends ThreadReply> {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending<Rep & { ok: true }>>();
  private nextId = 1;
  private dead?: Error;

  /**
   * `name`: how errors name the thread ("lstm thread"); `entry`: its module (.ts under tsx, .js once
   * built), started through thread-boot.js with workerData { ...data, entry }.
   */
  constructor(name: string, entry: string, data: object, private readonly hooks: Hooks) {
    // the boot file registers tsx in the thread when the code is TypeScript (see its comment)
    this.worker = new Worker(path.join(__dirname, 'thread-boot.js'), { workerData: { ...data, entry } });
    this.worker.unref();
    this.worker.on('message', (r: Rep) => this.settle(r));
    this.worker.on('error', (err) => this.die(err));
    this.worker.on('messageerror', (err) => this.die(err));
    this.worker.on('exit', (code) => this.die(new Error(`${name} exited with code ${code}`)));
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  /**
   * Sends a request (its id added) and waits for its reply. With a deadline, a thread that has not
   * answered in time counts as wedged: it dies and is terminated.
   */
  call(body: WithoutId<Req>, opts: { deadlineMs?: number; transfer?: ArrayBuffer[] } = {}): Promise<Rep & { ok: true }> {
    if (this.dead) return Promise.reject(this.hooks.deadError(this.dead));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      const { deadlineMs } = opts;
      const timer = deadlineMs === undefined ? undefined : setTimeout(() => {
        this.die(new Error(`no answer to a ${body.kind} request within ${deadlineMs} ms`));
        void this.worker.terminate();
      }, deadlineMs);
      timer?.unref();
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ ...body, id }, opts.transfer ?? []);
    });
  }

  /** Stops the thread; pending requests fail with deadError(cause). */
  async close(cause: Error): Promise<void> {
    this.die(cause, false);
    await this.worker.terminate();
  }

  private settle(r: Rep): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(r.id);
    if (this.pending.size === 0) this.worker.unref();
    if (r.ok) p.resolve(r as Rep & { ok: true });
    else p.reject(this.hooks.replyError((r as { error: string }).error));
  }

  private die(err: Error, unexpected = true): void {
    if (this.dead) return;
    this.dead = err;
    this.hooks.onDeath?.(err, unexpected);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(this.hooks.deadError(err));
    }
    this.pending.clear();
  }
}
