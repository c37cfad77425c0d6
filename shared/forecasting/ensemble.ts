/**
 * Ensemble of any ForecastModels, weighted by their error on a validation window INSIDE the training
 * data, never on the window being forecast.
 *
 * fit(train): every series is cut `validation` (28) buckets before its end; each member is fitted on the
 * cut series and forecasts those 28 buckets; then each member is fitted again on the full series.
 * Weights: greedy forward selection with replacement (Caruana et al., 2004, "Ensemble selection from
 * libraries of models"), run separately for p10, p50 and p90 because WQL is the sum of the three
 * pinball losses: start from the best single member, then `rounds` times add (again) the member
 * whose inclusion lowers that quantile's validation pinball loss most. Weights = selection counts /
 * total. The combination is quantile-wise: p_q = sum_m w_{q,m} p_{q,m}. A member never selected has
 * weight 0; a tie keeps the earlier member, so the result is deterministic.
 * Products without history (new listings) go to the optional cold-start model.
 */
import type { FitOptions, ForecastModel, QuantileForecast, SeriesInput } from './model';
import { truncateSeries } from './series';

export interface EnsembleOptions {
  validation?: number;
  rounds?: number;
  /** Minimum history after the cut for a series to be scored in validation. */
  minHistory?: number;
  coldStart?: ForecastModel;
  name?: string;
}

const Q = [0.1, 0.5, 0.9] as const;
const KEYS = ['p10', 'p50', 'p90'] as const;

export interface EnsembleWeights {
  members: string[];
  /** weights[k][m]: weight of member m for quantile k (p10, p50, p90). */
  weights: number[][];
  /** Validation WQL of each member and of the combination. */
  validationWql: Record<string, number>;
}

export class Ensemble implements ForecastModel {
  readonly name: string;
  private weights: number[][];
  private report?: EnsembleWeights;

  constructor(readonly members: ForecastModel[], private readonly opts: EnsembleOptions = {}) {
    if (members.length === 0) throw new Error('Ensemble needs at least one member');
    this.name = opts.name ?? 'ensemble';
    this.weights = KEYS.map(() => members.map(() => 1 / members.length));
  }

  get fitted(): EnsembleWeights | undefined {
    return this.report;
  }

  async fit(train: SeriesInput[], opts: FitOptions): Promise<void> {
    const V = this.opts.validation ?? 28;
    const minHistory = this.opts.minHistory ?? 14;
    const pairs = train.filter((s) => s.history.length > V).map((full) => ({ full, cut: truncateSeries(full, V) }));
    const cut = pairs.map((p) => p.cut);
    const scored = pairs.map((p, i) => ({ ...p, i })).filter(({ cut: s }) => s.history.length >= minHistory);
    const actual = scored.map(({ full, cut: s }) => Array.from({ length: V }, (_, h) => full.history[s.history.length + h]));
    const preds: QuantileForecast[][] = [];
    for (const [k, m] of this.members.entries()) {
      if (m.fit) await m.fit(cut, { ...opts, horizon: V });
      const f = await m.forecast(cut, V);
      preds.push(scored.map(({ i }) => f[i]));
      if (m.fit) await m.fit(train, opts);
      opts.onProgress?.((k + 1) / this.members.length);
    }
    this.weights = KEYS.map((_, k) => selectWeights(preds, actual, k));
    const wqlOf = (p: QuantileForecast[]) => validationWql(p, actual);
    const validation: Record<string, number> = {};
    this.members.forEach((m, j) => (validation[m.name] = wqlOf(preds[j])));
    validation[this.name] = wqlOf(scored.map((_, i) => combine(preds.map((p) => p[i]), this.weights)));
    this.report = { members: this.members.map((m) => m.name), weights: this.weights, validationWql: validation };
    if (this.opts.coldStart?.fit) await this.opts.coldStart.fit(train, opts);
  }

  async forecast(batch: SeriesInput[], horizon: number): Promise<QuantileForecast[]> {
    const known = batch.map((s, i) => ({ s, i })).filter(({ s }) => s.history.length > 0 || !this.opts.coldStart);
    const fresh = batch.map((s, i) => ({ s, i })).filter(({ s }) => s.history.length === 0 && this.opts.coldStart);
    const out: QuantileForecast[] = new Array(batch.length);
    if (known.length) {
      const inputs = known.map(({ s }) => s);
      const all = await Promise.all(this.members.map((m) => m.forecast(inputs, horizon)));
      known.forEach(({ i }, j) => (out[i] = combine(all.map((f) => f[j]), this.weights)));
    }
    if (fresh.length) {
      const f = await this.opts.coldStart!.forecast(fresh.map(({ s }) => s), horizon);
      fresh.forEach(({ i }, j) => (out[i] = f[j]));
    }
    return out;
  }
}

/** Quantile-wise weighted average; the triple is re-ordered per step (weights differ by quantile). */
function combine(fs: QuantileForecast[], w: number[][]): QuantileForecast {
  const h = fs[0].p50.length;
  const out: QuantileForecast = { p10: new Array(h), p50: new Array(h), p90: new Array(h) };
  for (let t = 0; t < h; t++) {
    let a = 0;
    let b = 0;
    let c = 0;
    for (let m = 0; m < fs.length; m++) {
      a += w[0][m] * fs[m].p10[t];
      b += w[1][m] * fs[m].p50[t];
      c += w[2][m] * fs[m].p90[t];
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

function pinballSum(values: Float64Array[], actual: number[][], q: number): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    for (let t = 0; t < actual[i].length; t++) {
      const d = actual[i][t] - values[i][t];
      s += d >= 0 ? q * d : (q - 1) * d;
    }
  }
  return s;
}

/** Caruana greedy selection for quantile index k; returns normalised weights over members. */
export function selectWeights(preds: QuantileForecast[][], actual: number[][], k: number, rounds = 20): number[] {
  const M = preds.length;
  const key = KEYS[k];
  const q = Q[k];
  const counts = new Array(M).fill(0);
  const sum = actual.map((a) => new Float64Array(a.length));
  let used = 0;
  for (let r = 0; r < rounds; r++) {
    let best = -1;
    let bestLoss = Infinity;
    for (let m = 0; m < M; m++) {
      const cand = sum.map((row, i) => row.map((v, t) => (v + preds[m][i][key][t]) / (used + 1)));
      const loss = pinballSum(cand, actual, q);
      if (loss < bestLoss - 1e-9) {
        bestLoss = loss;
        best = m;
      }
    }
    counts[best]++;
    used++;
    sum.forEach((row, i) => row.forEach((v, t) => (row[t] = v + preds[best][i][key][t])));
  }
  return counts.map((c) => c / used);
}

function validationWql(fs: QuantileForecast[], actual: number[][]): number {
  let total = 0;
  for (const a of actual) for (const v of a) total += v;
  let loss = 0;
  KEYS.forEach((key, k) => (loss += pinballSum(fs.map((f) => Float64Array.from(f[key])), actual, Q[k])));
  return (2 * loss) / 3 / total;
}
