/**
 * Holt's linear exponential smoothing, written so that streaming and batch agree exactly.
 *
 * The filter runs over the whole bucketed demand series, with state (level, trend) = (0, 0) before
 * the first bucket. One step with observation y:
 *   level' = alpha*y + (1-alpha)*(level + trend)
 *   trend' = beta*(level' - level) + (1-beta)*trend
 * This map is linear in (level, trend, y): S_t = M S_{t-1} + g y_t with
 *   M = [[1-a, 1-a], [-a*b, 1-a*b]] and g = [a, a*b].
 * Hence the state after bucket n is sum_k M^(n-k) g y_k, and an event adding d to bucket k (k <= n)
 * changes it by d * M^(n-k) g, whatever the order in which events arrive. That is what makes the
 * Redis update O(log gap) per event, order-independent and equal to a batch recomputation.
 * beta = 0 gives simple exponential smoothing (trend stays 0).
 */
export interface SmoothingParams {
  alpha: number;
  beta: number;
}

export interface HoltState {
  level: number;
  trend: number;
}

export type Mat2 = [number, number, number, number]; // row-major [m00, m01, m10, m11]

export function transition({ alpha: a, beta: b }: SmoothingParams): Mat2 {
  return [1 - a, 1 - a, -a * b, 1 - a * b];
}

export function impulse({ alpha: a, beta: b }: SmoothingParams): [number, number] {
  return [a, a * b];
}

function mul(x: Mat2, y: Mat2): Mat2 {
  return [
    x[0] * y[0] + x[1] * y[2],
    x[0] * y[1] + x[1] * y[3],
    x[2] * y[0] + x[3] * y[2],
    x[2] * y[1] + x[3] * y[3],
  ];
}

/** M^k by repeated squaring: O(log k). */
export function matPow(m: Mat2, k: number): Mat2 {
  let result: Mat2 = [1, 0, 0, 1];
  let base = m;
  let e = k;
  while (e > 0) {
    if (e & 1) result = mul(result, base);
    base = mul(base, base);
    e = Math.floor(e / 2);
  }
  return result;
}

/** One filter step: the batch form, used by the forecasting models and by tests. */
export function holtStep(s: HoltState, y: number, p: SmoothingParams): HoltState {
  const level = p.alpha * y + (1 - p.alpha) * (s.level + s.trend);
  const trend = p.beta * (level - s.level) + (1 - p.beta) * s.trend;
  return { level, trend };
}

/**
 * The state one bucket earlier: S_{t-1} = M^-1 (S_t - g y_t), exact since the filter is linear and
 * det M = 1 - alpha. Null for alpha = 1 (the level then keeps nothing of the past to go back to).
 */
export function holtUnstep(s: HoltState, y: number, p: SmoothingParams): HoltState | null {
  const a = p.alpha;
  const ab = p.alpha * p.beta;
  if (a >= 1) return null;
  const l = s.level - a * y;
  const t = s.trend - ab * y;
  return { level: ((1 - ab) * l - (1 - a) * t) / (1 - a), trend: (ab * l) / (1 - a) + t };
}

/** Runs the filter over a whole series from the zero state (or from `init`). */
export function holtFilter(series: ArrayLike<number>, p: SmoothingParams, init: HoltState = { level: 0, trend: 0 }): HoltState {
  let s = init;
  for (let i = 0; i < series.length; i++) s = holtStep(s, series[i], p);
  return s;
}

/**
 * Streaming update: state is as of bucket `latest`; an event adds `delta` to bucket `bucket`.
 * Returns the new state and the new latest bucket. Mirrors shared/adapters/redis/lua/apply-orders.
 */
export function holtApply(
  s: HoltState,
  latest: number,
  bucket: number,
  delta: number,
  p: SmoothingParams,
): { state: HoltState; latest: number } {
  const g = impulse(p);
  const m = transition(p);
  if (bucket <= latest) {
    const q = matPow(m, latest - bucket);
    return {
      state: { level: s.level + delta * (q[0] * g[0] + q[1] * g[1]), trend: s.trend + delta * (q[2] * g[0] + q[3] * g[1]) },
      latest,
    };
  }
  const q = matPow(m, bucket - latest);
  return {
    state: {
      level: q[0] * s.level + q[1] * s.trend + g[0] * delta,
      trend: q[2] * s.level + q[3] * s.trend + g[1] * delta,
    },
    latest: bucket,
  };
}

/** h-step-ahead point forecast of Holt's method (damping optional). */
export function holtForecast(s: HoltState, h: number, phi = 1): number {
  if (phi === 1) return s.level + h * s.trend;
  let damp = 0;
  for (let i = 1; i <= h; i++) damp += phi ** i;
  return s.level + damp * s.trend;
}
