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
import { ThreadClient } from '../thread-client';
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

export class LstmThread {
  private readonly thread: ThreadClient<ThreadRequest, ThreadReply>;
  private readonly loaded = new Set<string>();

  constructor(backend: string, private readonly log?: Logger) {
    const entry = path.join(__dirname, `lstm-thread-worker${path.extname(__filename)}`);
    this.thread = new ThreadClient('lstm thread', entry, { backend }, {
      deadError: (cause) => new ThreadDeadError(`lstm thread is not running: ${cause.message}`),
      replyError: (message) => new Error(message),
      onDeath: (cause, unexpected) => unexpected && this.log?.warn('lstm thread stopped; the LSTM runs on the main thread', { err: cause.message }),
    });
  }

  get alive(): boolean {
    return this.thread.alive;
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
    await this.thread.call({ kind: 'load', dir, version }, { deadlineMs });
    this.loaded.add(version);
  }

  /** Frees a version's tensors in the thread. */
  async drop(version: string): Promise<void> {
    this.loaded.delete(version);
    await this.thread.call({ kind: 'drop', version }, { deadlineMs: LOAD_DEADLINE_MS });
  }

  async forecast(version: string, batch: SeriesInput[], horizon: number, deadlineMs = FORECAST_DEADLINE_MS(batch.length)): Promise<QuantileForecast[]> {
    const inputs = packInputs(batch);
    const r = await this.thread.call({ kind: 'forecast', version, inputs, horizon }, { deadlineMs, transfer: transferOf(inputs) });
    return unpackForecasts(r.packed!, horizon);
  }

  async close(): Promise<void> {
    await this.thread.close(new Error('lstm thread closed'));
  }
}
