import type { StateStore } from '../../shared/domain/state';
import { repeatFilter, type Logger } from '../../shared/log';
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
/** A full pass that failed (Redis or Kafka away) is tried again this soon, not a whole interval later. */
const FULL_RETRY_MS = 10_000;

/**
 * Runs the job on a schedule (all products) and on change (debounced dirty products). One pass at
 * a time, so a slow pass delays the next instead of piling up. A pass that fails is not lost: the
 * products it had taken from the dirty set (which no longer holds them) go first on the next tick,
 * and a failed full pass is tried again within FULL_RETRY_MS.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private nextFull = 0;
  private stopped = false;
  /** Taken from the dirty set by a pass that failed. */
  private retry: string[] = [];
  /** The same failure on every poll while Redis or the broker is away: logged once per 30 s, with a count. */
  private readonly fresh = repeatFilter(30_000);

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
    if (now >= this.nextFull) return this.fullPass(now);
    let n = 0;
    let failed: unknown;
    if (this.retry.length > 0) {
      const again = this.retry;
      this.retry = [];
      // kept for the next tick, but it does not hold back the changes below: should these products
      // fail for a reason of their own, the others still get their forecasts
      n += await this.job.runAll(again, this.s.batchSize).catch((err) => ((failed = err), this.keep(again), 0));
    }
    // several batches taken at once, so the pipelined pass overlaps their reads with the forecasts;
    // products taken are all published, also when a stop comes meanwhile
    const take = () => this.store.takeDirty(now, this.s.debounceMs, this.s.batchSize * DIRTY_BATCHES_PER_TAKE);
    for (let skus = await take(); skus.length > 0; skus = await take()) {
      try {
        n += await this.job.runAll(skus, this.s.batchSize);
      } catch (err) {
        this.keep(skus);
        throw err;
      }
      if (this.stopped) break;
    }
    if (failed !== undefined) throw failed;
    return n;
  }

  private keep(skus: string[]): void {
    this.retry = [...new Set([...this.retry, ...skus])];
  }

  private async fullPass(now: number): Promise<number> {
    const onRefitError = (err: unknown) => this.log.error('refit failed; keeping the previous fit', { err: err as Error });
    try {
      const n = await this.job.fullPass(await this.store.listProducts(), this.s.batchSize, () => this.stopped, onRefitError);
      this.nextFull = now + this.s.intervalMs;
      this.retry = []; // forecast just now, with everything else
      return n;
    } catch (err) {
      this.nextFull = now + Math.min(this.s.intervalMs, FULL_RETRY_MS);
      throw err;
    }
  }

  private loop(): void {
    if (this.stopped) return;
    this.running = this.tick()
      .then((n) => void (n > 0 && this.log.debug('forecast pass', { products: n })))
      .catch((err) => {
        const repeated = this.fresh((err as Error).message);
        if (repeated !== null) this.log.error('forecast pass failed', repeated > 0 ? { err: err as Error, repeated } : { err: err as Error });
      })
      .finally(() => {
        if (!this.stopped) this.timer = setTimeout(() => this.loop(), this.s.pollMs);
      });
  }
}
