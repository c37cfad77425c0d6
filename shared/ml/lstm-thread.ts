/**
 * The LSTM's forward pass on a worker thread (node:worker_threads). Why: the forecaster's ensemble
 * runs its statistical members on the main thread, and the LSTM (28 steps of a 32-unit LSTM, mostly
 * wasm matMul at ~14 GFLOP/s, so not much faster on one core) doubled the forecast step. On its own
 * thread it runs on the second core while the ensemble's other members run (the ensemble starts an
 * `offloaded` member first; BENCHMARKS.md "The LSTM on its own thread").
 *
 * The thread loads its own copy of each artifact version it is told to (load), so the main thread
 * keeps the in-process model as the fallback: once the thread has died every call fails fast with
 * ThreadDeadError and the caller forecasts in process.
 */
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { QuantileForecast, SeriesInput } from '../forecasting/model';
import type { Logger } from '../log';
import { packInputs, transferOf, unpackForecasts, type ThreadReply, type ThreadRequest } from './lstm-thread-protocol';

export class ThreadDeadError extends Error {}

/**
 * How long a request may go unanswered before the thread counts as wedged (a wasm hang, a lost
 * reply): it is then terminated and the caller goes on in process. Far above the real times
 * (a load ~0.5 s, 500 products ~50 ms), so only a thread that has stopped answering trips it.
 */
export const LOAD_DEADLINE_MS = 120_000;
export const FORECAST_DEADLINE_MS = (products: number) => 30_000 + 20 * products;

type Pending = { resolve: (r: ThreadReply & { ok: true }) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };
type Body = ThreadRequest extends infer R ? (R extends ThreadRequest ? Omit<R, 'id'> : never) : never;

export class LstmThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly loaded = new Set<string>();
  private nextId = 1;
  private dead?: Error;

  constructor(backend: string, private readonly log?: Logger) {
    const entry = path.join(__dirname, `lstm-thread-worker${path.extname(__filename)}`);
    this.worker = new Worker(path.join(__dirname, '../thread-boot.js'), { workerData: { entry, backend } });
    // an idle thread must not keep the process alive, a busy one must (see call and settle)
    this.worker.unref();
    this.worker.on('message', (r: ThreadReply) => this.settle(r));
    this.worker.on('error', (err) => this.die(err));
    this.worker.on('messageerror', (err) => this.die(err));
    this.worker.on('exit', (code) => this.die(new Error(`lstm thread exited with code ${code}`)));
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  /** True once `version` is loaded in the thread (forecasts for it can be sent). */
  has(version: string): boolean {
    return this.alive && this.loaded.has(version);
  }

  /** The versions loaded in the thread. */
  versions(): string[] {
    return [...this.loaded];
  }

  /** Loads an artifact version folder (artifacts/lstm/<version>) in the thread. */
  async load(dir: string, version: string, deadlineMs = LOAD_DEADLINE_MS): Promise<void> {
    await this.call({ kind: 'load', dir, version }, deadlineMs);
    this.loaded.add(version);
  }

  /** Frees a version's tensors in the thread. */
  async drop(version: string): Promise<void> {
    this.loaded.delete(version);
    await this.call({ kind: 'drop', version }, LOAD_DEADLINE_MS);
  }

  async forecast(version: string, batch: SeriesInput[], horizon: number, deadlineMs = FORECAST_DEADLINE_MS(batch.length)): Promise<QuantileForecast[]> {
    const inputs = packInputs(batch);
    const r = await this.call({ kind: 'forecast', version, inputs, horizon }, deadlineMs, transferOf(inputs));
    return unpackForecasts(r.packed!, horizon);
  }

  async close(): Promise<void> {
    this.die(new Error('lstm thread closed'), false);
    await this.worker.terminate();
  }

  private call(body: Body, deadlineMs: number, transfer: ArrayBuffer[] = []): Promise<ThreadReply & { ok: true }> {
    if (this.dead) return Promise.reject(new ThreadDeadError(`lstm thread is not running: ${this.dead.message}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      const timer = setTimeout(() => {
        this.die(new Error(`no answer to a ${body.kind} request within ${deadlineMs} ms`));
        void this.worker.terminate();
      }, deadlineMs);
      timer.unref();
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ ...body, id } as ThreadRequest, transfer);
    });
  }

  private settle(r: ThreadReply): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(r.id);
    if (this.pending.size === 0) this.worker.unref();
    if (r.ok) p.resolve(r);
    else p.reject(new Error(r.error));
  }

  private die(err: Error, unexpected = true): void {
    if (this.dead) return;
    this.dead = err;
    if (unexpected) this.log?.warn('lstm thread stopped; the LSTM runs on the main thread', { err: err.message });
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new ThreadDeadError(`lstm thread is not running: ${err.message}`));
    }
    this.pending.clear();
  }
}
