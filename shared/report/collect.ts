/**
 * Gathers what the HTML report draws from the backtest's forecast events: WQL per horizon day,
 * calibration counts per model and segment, and a few sample products at the last origin.
 * Pure: it only reads the events (see ForecastEvent in shared/backtest/protocol.ts).
 */
import type { QuantileForecast } from '../forecasting/model';
import { pinball } from '../backtest/metrics';

/** The slice of a protocol window the collector needs (structurally a Window). */
export interface EventWindow {
  originIso: string;
  established: { sku: string; history: ArrayLike<number>; actual: ArrayLike<number>; text: string }[];
  fresh: { sku: string; actual: ArrayLike<number> }[];
}

export interface CollectEvent {
  model: string;
  segment: 'established' | 'new';
  window: EventWindow;
  forecasts: QuantileForecast[];
}

/** Pooled counts of one model and segment over all origins. */
export interface Calibration {
  points: number;
  /** Share of actuals at or below p10, p50, p90, and inside [p10, p90]. */
  belowP10: number;
  belowP50: number;
  belowP90: number;
  coverage: number;
}

export interface SampleSeries {
  sku: string;
  text: string;
  origin: string;
  /** The last days of history before the origin (context for the eye). */
  history: number[];
  actual: number[];
  forecast: QuantileForecast;
}

export interface ReportData {
  /** WQL of each horizon day 1..H, pooled over origins and products, per segment and model. */
  wqlByHorizon: Record<string, Record<string, number[]>>;
  calibration: Record<string, Record<string, Calibration>>;
  sampleModel: string;
  samples: SampleSeries[];
}

interface Sums {
  pin: number[];
  y: number[];
  points: number;
  below: [number, number, number];
  covered: number;
}

/** Tallies one batch into `s`; exported for tests of the calibration shares. */
export function tally(s: Sums, actuals: ArrayLike<number>[], forecasts: QuantileForecast[]): void {
  actuals.forEach((y, i) => {
    const f = forecasts[i];
    for (let h = 0; h < y.length; h++) {
      const v = y[h];
      s.pin[h] = (s.pin[h] ?? 0) + pinball(v, f.p10[h], 0.1) + pinball(v, f.p50[h], 0.5) + pinball(v, f.p90[h], 0.9);
      s.y[h] = (s.y[h] ?? 0) + v;
      s.points++;
      if (v <= f.p10[h]) s.below[0]++;
      if (v <= f.p50[h]) s.below[1]++;
      if (v <= f.p90[h]) s.below[2]++;
      if (f.p10[h] <= v && v <= f.p90[h]) s.covered++;
    }
  });
}

export const emptySums = (): Sums => ({ pin: [], y: [], points: 0, below: [0, 0, 0], covered: 0 });

export function calibrationOf(s: Sums): Calibration {
  const r = (n: number) => (s.points ? n / s.points : NaN);
  return { points: s.points, belowP10: r(s.below[0]), belowP50: r(s.below[1]), belowP90: r(s.below[2]), coverage: r(s.covered) };
}

/** Same WQL as metrics.ts (2 * mean pinball over the three quantiles / sum y), per horizon day. */
export function wqlPerHorizon(s: Sums): number[] {
  return s.pin.map((p, h) => (2 * p) / 3 / s.y[h]);
}

const total = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0);

export class ReportCollector {
  private sums = new Map<string, Sums>();
  private samples: SampleSeries[] = [];
  private sampleOrigin = '';

  /** `sampleModel`'s established forecasts at the latest origin give the sample charts. */
  constructor(readonly sampleModel: string, readonly sampleCount = 6, readonly historyDays = 56) {}

  readonly onForecast = (e: CollectEvent): void => {
    const items = e.segment === 'established' ? e.window.established : e.window.fresh;
    if (items.length !== e.forecasts.length) throw new Error(`report: ${e.model} gave ${e.forecasts.length} forecasts for ${items.length} products`);
    const key = `${e.segment}|${e.model}`;
    const s = this.sums.get(key) ?? emptySums();
    tally(s, items.map((it) => it.actual), e.forecasts);
    this.sums.set(key, s);
    if (e.model === this.sampleModel && e.segment === 'established' && e.window.originIso >= this.sampleOrigin) this.pickSamples(e);
  };

  /** The largest-volume established products (ties by sku), so the choice is deterministic. */
  private pickSamples(e: CollectEvent): void {
    const est = e.window.established;
    const order = est.map((it, i) => ({ i, vol: total(it.history) })).sort((a, b) => b.vol - a.vol || (est[a.i].sku < est[b.i].sku ? -1 : 1));
    this.sampleOrigin = e.window.originIso;
    this.samples = order.slice(0, this.sampleCount).map(({ i }) => ({
      sku: est[i].sku,
      text: est[i].text,
      origin: e.window.originIso,
      history: Array.from(est[i].history).slice(-this.historyDays),
      actual: Array.from(est[i].actual),
      forecast: e.forecasts[i],
    }));
  }

  result(): ReportData {
    const out: ReportData = { wqlByHorizon: {}, calibration: {}, sampleModel: this.sampleModel, samples: this.samples };
    for (const [key, s] of this.sums) {
      const [seg, model] = key.split('|');
      (out.wqlByHorizon[seg] ??= {})[model] = wqlPerHorizon(s);
      (out.calibration[seg] ??= {})[model] = calibrationOf(s);
    }
    return out;
  }
}
