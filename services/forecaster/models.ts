import type { ForecastModel, QuantileForecast, SeriesInput } from '../../shared/forecasting/model';

/**
 * Interim worker model until the forecasting engine (issue 3) plugs in: seasonal naive (the same
 * weekday last week) for p50, with p10/p90 from that weekday's spread over the last 8 weeks.
 */
export const weeklyNaive: ForecastModel = {
  name: 'seasonal_naive',
  forecast: async (batch: SeriesInput[], horizon: number): Promise<QuantileForecast[]> => batch.map((s) => oneSeries(s.history, horizon)),
};

function oneSeries(h: ArrayLike<number>, horizon: number): QuantileForecast {
  const out: QuantileForecast = { p10: [], p50: [], p90: [] };
  for (let step = 1; step <= horizon; step++) {
    const same: number[] = [];
    for (let k = 1; k <= 8; k++) {
      const i = h.length - 7 * k + ((step - 1) % 7);
      if (i >= 0 && i < h.length) same.push(h[i]);
    }
    same.sort((a, b) => a - b);
    const last = h.length >= 7 ? h[h.length - 7 + ((step - 1) % 7)] : 0;
    out.p50.push(last);
    out.p10.push(same.length ? Math.min(last, quantile(same, 0.1)) : 0);
    out.p90.push(same.length ? Math.max(last, quantile(same, 0.9)) : 0);
  }
  return out;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
