/**
 * The ensemble's combination (combine() in ensemble.ts) with its calibrated members unrolled. A
 * CalibratedModel's quantile at step t is its mean forecast x the product's demand shape x a
 * calibration multiplier (calibrated.ts), so it can be computed where it is weighted, instead of
 * each member first building three arrays per product that combine() reads once and drops. Those
 * arrays (7 members x 3 x 28 steps per product) were the worker's largest source of garbage
 * (BENCHMARKS.md "Forecaster worker"). Same arithmetic in the same order as CalibratedModel.one()
 * followed by combine(), so the result is bit-identical (test/unit/forecasting/fused.test.ts).
 */
import { binOf } from './calibration';
import type { CalibratedParts } from './calibrated';
import type { QuantileForecast, SeriesInput } from './model';
import { stepWeekday } from './series';

/** One member's output for a batch: its quantile arrays, or a calibrated member's parts. */
export type MemberOutput = QuantileForecast[] | CalibratedParts;

const isParts = (o: MemberOutput): o is CalibratedParts => !Array.isArray(o);

/**
 * The weighted combination of the members' forecasts of product j, weights w[k][m] (combine() in
 * ensemble.ts is this with arrays only). `s`, the product's input, gives the calibration bins of
 * its steps; it is needed only when some output is a calibrated member's parts.
 */
export function combineFused(j: number, s: SeriesInput | undefined, outputs: MemberOutput[], w: number[][], horizon: number): QuantileForecast {
  const out: QuantileForecast = { p10: new Array(horizon), p50: new Array(horizon), p90: new Array(horizon) };
  const withParts = outputs.some(isParts);
  if (withParts && !s) throw new Error('combineFused: a calibrated member needs the product input');
  for (let t = 0; t < horizon; t++) {
    const bin = withParts ? binOf(stepWeekday(s!, t + 1)) : 0;
    let a = 0;
    let b = 0;
    let c = 0;
    for (let m = 0; m < outputs.length; m++) {
      const o = outputs[m];
      let x: number;
      let y: number;
      let z: number;
      if (isParts(o)) {
        const mh = o.mean[j * o.horizon + t];
        const k = j * 3;
        x = mh * o.shape[k] * o.cal.at(bin, 0);
        y = mh * o.shape[k + 1] * o.cal.at(bin, 1);
        z = mh * o.shape[k + 2] * o.cal.at(bin, 2);
        // the member's own ordering (setOrdered in one())
        if (x > y) [x, y] = [y, x];
        if (y > z) [y, z] = [z, y];
        if (x > y) [x, y] = [y, x];
      } else {
        const f = o[j];
        x = f.p10[t];
        y = f.p50[t];
        z = f.p90[t];
      }
      a += w[0][m] * x;
      b += w[1][m] * y;
      c += w[2][m] * z;
    }
    if (a > b) [a, b] = [b, a];
    if (b > c) [b, c] = [c, b];
    if (a > b) [a, b] = [b, a];
    out.p10[t] = Math.max(0, a);
    out.p50[t] = Math.max(0, b);
    out.p90[t] = Math.max(0, c);
  }
  return out;
}
