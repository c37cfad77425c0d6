/** Seasonal naive: the last full week, repeated, weekday-aligned (step h takes the value of 7 days before it). */
import type { PointForecaster } from './calibrated';

export class SeasonalNaiveForecaster implements PointForecaster {
  readonly name = 'seasonal_naive';
  constructor(private readonly period = 7) {}

  point(history: Float64Array, h: number): Float64Array {
    const n = history.length;
    const m = this.period;
    const out = new Float64Array(h);
    for (let i = 0; i < h; i++) {
      const t = n - m + (i % m);
      out[i] = t >= 0 ? history[t] : 0; // before the first sale there was no demand
    }
    return out;
  }
}
