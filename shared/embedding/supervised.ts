import { TrendcastError } from '../errors';
import { createEmbedder, defaultLog, type EmbedderOptions, type ModelEmbedder } from './embedder';
import type { OnnxRuntimeName } from './protocol';

/**
 * An embedder that outlives its model process. The model runs in a child process (model-host.ts),
 * which can die under a running consumer (the OOM killer, a crash inside onnxruntime). A plain
 * embedder then fails every later call with a permanent MODEL_UNAVAILABLE, so the stage would
 * dead-letter each review and listing that follows. Here a call that finds the process gone starts a
 * new one and fails as retriable: the stage retries the chunk, and nothing valid reaches the DLQ.
 * A start that fails (the model folder gone, say) is tried again by the next call.
 */
export class SupervisedEmbedder implements ModelEmbedder {
  /** Model processes started after the first. */
  restarts = 0;
  private starting: Promise<void> | null = null;
  private closed = false;

  private constructor(private current: ModelEmbedder, private readonly opts: EmbedderOptions, private readonly onRestart?: () => void) {}

  /** `onRestart` is told of each new process (a metric, say). */
  static async create(opts: EmbedderOptions, onRestart?: () => void): Promise<SupervisedEmbedder> {
    return new SupervisedEmbedder(await createEmbedder(opts), opts, onRestart);
  }

  get modelId(): string { return this.current.modelId; }
  get dim(): number { return this.current.dim; }
  get runtime(): OnnxRuntimeName { return this.current.runtime; }
  get pid(): number | undefined { return this.current.pid; }
  get alive(): boolean { return !this.closed && this.current.alive; }

  async embed(texts: string[]): Promise<Float32Array[]> {
    if (this.starting) await this.starting;
    const e = this.current;
    try {
      return await e.embed(texts);
    } catch (err) {
      if (this.closed || e.alive) throw err; // this call's own failure, not the process's
      this.restart(e);
      throw new TrendcastError('MODEL_UNAVAILABLE', `embedding model process died (${(err as Error).message}); starting a new one`, { retriable: true, cause: err });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.starting;
    await this.current.close();
  }

  /** One new process for all the calls that found the same dead one. */
  private restart(dead: ModelEmbedder): void {
    if (this.starting || this.current !== dead) return;
    const log = this.opts.log ?? defaultLog;
    this.starting = createEmbedder(this.opts)
      .then(async (fresh) => {
        if (this.closed) return fresh.close();
        this.current = fresh;
        this.restarts++;
        this.onRestart?.();
        log('embedding model restarted', { modelId: fresh.modelId, pid: fresh.pid, restarts: this.restarts });
      }, (err: Error) => log('embedding model restart failed; the next call tries again', { err: err.message }))
      .finally(() => (this.starting = null));
  }
}
