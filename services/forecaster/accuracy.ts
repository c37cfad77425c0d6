import type { Spec } from '../../shared/config/spec';
import { ConfigError } from '../../shared/errors';
import type { ProductSnapshot } from '../../shared/domain/state';

/**
 * Online accuracy: the worker remembers the p50 it published for each product, target bucket and
 * sampled horizon step, and once the event-time watermark has passed that bucket it scores the
 * forecast against the demand that was realized. WAPE per horizon = sum |y - p50| / sum y over the
 * target buckets of the last `windowBuckets` buckets (EVALUATION.md's WAPE, on live data).
 *
 * Memory is bounded: a product keeps at most one pending p50 per (horizon, target bucket), and
 * every pass that reads a product scores its due targets before recording new ones, so at most
 * sum(h + 1 + grace) targets wait per product; beyond `maxProducts` the least recently forecast is dropped.
 * State is in memory: a restart forgets pending forecasts (the counters then restart too).
 */
export const accuracySpec = {
  ACCURACY_HORIZONS: { kind: 'list', default: ['1', '7', '14', '28'], doc: 'Horizon steps whose forecasts are scored online (steps beyond FORECAST_HORIZON are ignored)' },
  ACCURACY_WINDOW_BUCKETS: { kind: 'int', default: 28, min: 1, max: 5000, doc: 'Online WAPE is computed over the target buckets of this many newest complete buckets' },
  ACCURACY_GRACE_BUCKETS: { kind: 'int', default: 1, min: 0, max: 365, doc: 'A bucket is scored only once the watermark is this many buckets past its end, so events still in flight on other partitions count' },
  ACCURACY_MAX_PRODUCTS: { kind: 'int', default: 100000, min: 1, doc: 'Products whose pending forecasts are remembered (least recently forecast dropped first)' },
} satisfies Spec;

export interface AccuracySettings {
  horizons: number[];
  windowBuckets: number;
  maxProducts: number;
  /** Buckets the watermark must be past a bucket before it is scored (default 0 here; 1 in the service). */
  graceBuckets?: number;
}

/** Sums of one horizon, either over the rolling window or as increments of one pass. */
export interface AccuracySums {
  horizon: number;
  absError: number;
  actual: number;
  points: number;
}

export interface HorizonSummary extends AccuracySums {
  /** null while the window holds no realized demand (WAPE is undefined there). */
  wape: number | null;
}

/** Parses ACCURACY_HORIZONS against the forecast horizon; a bad entry is named in the error. */
export function accuracyHorizons(raw: string[], forecastHorizon: number): number[] {
  const out = new Set<number>();
  for (const s of raw) {
    const h = Number(s);
    if (!Number.isInteger(h) || h < 1) throw new ConfigError('ACCURACY_HORIZONS', `${JSON.stringify(s)} is not a positive integer`);
    if (h <= forecastHorizon) out.add(h);
  }
  if (out.size === 0) throw new ConfigError('ACCURACY_HORIZONS', `no step within FORECAST_HORIZON ${forecastHorizon}`);
  return [...out].sort((a, b) => a - b);
}

/** Realized demand of a bucket, as the model saw it: max(0, sum), 0 where nothing was sold. */
export function demandAt(snap: ProductSnapshot, bucket: number): number {
  const d = snap.demand;
  if (!d || bucket < d.oldest || bucket > d.latest) return 0;
  return Math.max(0, d.values[bucket - d.oldest] ?? 0);
}

type Pending = Map<number, Map<number, number>>; // horizon -> target bucket -> p50

export class AccuracyTracker {
  private readonly pending = new Map<string, Pending>();
  /** horizon -> target bucket -> sums of the points scored for that bucket. */
  private readonly window = new Map<number, Map<number, AccuracySums>>();
  private newestComplete = -Infinity;

  constructor(private readonly s: AccuracySettings) {
    if (s.horizons.length === 0) throw new Error('AccuracyTracker: no horizons to score');
    for (const h of s.horizons) this.window.set(h, new Map());
  }

  /** Remembers the p50 path of a forecast whose step 1 targets `firstBucket`. */
  record(sku: string, firstBucket: number, p50: ArrayLike<number>): void {
    let p = this.pending.get(sku);
    if (p) this.pending.delete(sku); // re-inserted below: Map order = least recently forecast first
    else p = new Map();
    for (const h of this.s.horizons) {
      if (h > p50.length) continue;
      let targets = p.get(h);
      if (!targets) p.set(h, (targets = new Map()));
      targets.set(firstBucket + h - 1, p50[h - 1]);
    }
    this.pending.set(sku, p);
    while (this.pending.size > this.s.maxProducts) this.pending.delete(this.pending.keys().next().value as string);
  }

  /**
   * Scores every pending forecast of `snap` whose target bucket is complete (<= completeThrough,
   * less the grace) and returns what this call added per horizon (for counters).
   */
  resolve(snap: ProductSnapshot, completeBucket: number): AccuracySums[] {
    const completeThrough = completeBucket - (this.s.graceBuckets ?? 0);
    this.advance(completeThrough);
    const p = this.pending.get(snap.sku);
    if (!p) return [];
    const added: AccuracySums[] = [];
    for (const [h, targets] of p) {
      const inc: AccuracySums = { horizon: h, absError: 0, actual: 0, points: 0 };
      for (const [bucket, p50] of targets) {
        if (bucket > completeThrough) continue;
        targets.delete(bucket);
        const y = demandAt(snap, bucket);
        const e = Math.abs(y - p50);
        inc.absError += e;
        inc.actual += y;
        inc.points++;
        if (bucket > this.newestComplete - this.s.windowBuckets) this.addToWindow(h, bucket, e, y);
      }
      if (inc.points > 0) added.push(inc);
    }
    return added;
  }

  /** Rolling WAPE and sums per horizon over the window. */
  summary(): HorizonSummary[] {
    return this.s.horizons.map((h) => {
      const s: AccuracySums = { horizon: h, absError: 0, actual: 0, points: 0 };
      for (const b of this.window.get(h)!.values()) {
        s.absError += b.absError;
        s.actual += b.actual;
        s.points += b.points;
      }
      return { ...s, wape: s.actual > 0 ? s.absError / s.actual : null };
    });
  }

  /** Forecasts waiting for their bucket to complete (for tests and a gauge). */
  pendingCount(): number {
    let n = 0;
    for (const p of this.pending.values()) for (const t of p.values()) n += t.size;
    return n;
  }

  private addToWindow(h: number, bucket: number, absError: number, actual: number): void {
    const w = this.window.get(h)!;
    const b = w.get(bucket) ?? { horizon: h, absError: 0, actual: 0, points: 0 };
    b.absError += absError;
    b.actual += actual;
    b.points++;
    w.set(bucket, b);
  }

  /** Moves the event-time clock and forgets window buckets that fell out of it. */
  private advance(completeThrough: number): void {
    if (completeThrough <= this.newestComplete) return;
    this.newestComplete = completeThrough;
    const oldest = completeThrough - this.s.windowBuckets;
    for (const w of this.window.values()) for (const b of w.keys()) if (b <= oldest) w.delete(b);
  }
}
