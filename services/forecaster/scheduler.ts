import type { StateStore } from '../../shared/domain/state';
import type { Logger } from '../../shared/log';
import type { ForecastJob } from './job';

export interface ScheduleSettings {
  /** Full pass over every product this often. */
  intervalMs: number;
  /** How often the dirty set is checked. */
  pollMs: number;
  /** A product is forecast once its state has been quiet this long (debounce). */
  debounceMs: number;
  batchSize: number;
}

/** Dirty products taken per call, in batches: a product changed again meanwhile is re-added and taken next time. */
const DIRTY_BATCHES_PER_TAKE = 8;

/**
 * Runs the job on a schedule (all products) and on change (debounced dirty products). One pass at
 * a time, so a slow pass delays the next instead of piling up.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastFull = 0;
  private stopped = false;

  constructor(private readonly store: StateStore, private readonly job: ForecastJob, private readonly s: ScheduleSettings, private readonly log: Logger) {}

  start(): void {
    this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One tick: a full pass when due, else the debounced changes. Exposed for tests and the demo. */
  async tick(now = Date.now()): Promise<number> {
    if (now - this.lastFull >= this.s.intervalMs) {
      this.lastFull = now;
      const onRefitError = (err: unknown) => this.log.error('refit failed; keeping the previous fit', { err: err as Error });
      return this.job.fullPass(await this.store.listProducts(), this.s.batchSize, () => this.stopped, onRefitError);
    }
    let n = 0;
    // several batches taken at once, so the pipelined pass overlaps their reads with the forecasts;
    // products taken are all published, also when a stop comes meanwhile
    const take = () => this.store.takeDirty(now, this.s.debounceMs, this.s.batchSize * DIRTY_BATCHES_PER_TAKE);
    for (let skus = await take(); skus.length > 0; skus = await take()) {
      n += await this.job.runAll(skus, this.s.batchSize);
      if (this.stopped) break;
    }
    return n;
  }

  private loop(): void {
    if (this.stopped) return;
    this.running = this.tick()
      .then((n) => void (n > 0 && this.log.debug('forecast pass', { products: n })))
      .catch((err) => this.log.error('forecast pass failed', { err: err as Error }))
      .finally(() => {
        if (!this.stopped) this.timer = setTimeout(() => this.loop(), this.s.pollMs);
      });
  }
}
