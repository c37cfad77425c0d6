/**
 * Ensemble of any ForecastModels, weighted by their error on a validation window INSIDE the training
 * data, never on the window being forecast.
 *
 * fit(train): every series is cut `validation` (28) buckets before its end; each member is fitted on the
 * cut series and forecasts those 28 buckets; then each member is fitted again on the full series.
 * Weights: greedy forward selection with replacement (Caruana et al., 2004, "Ensemble selection from
 * libraries of models"), run separately for p10, p50 and p90: start empty, then `rounds` times add
 * (again) the member whose inclusion lowers that quantile's validation loss most. Weights =
 * selection counts / rounds. The loss of p10 and p90 is their pinball loss (their share of WQL).
 * p50 is also the point forecast that RMSSE scores, so by default its loss is the validation WQL's
 * p50 term plus the validation RMSSE (the two headline measures, equally weighted);
 * `p50Loss: 'pinball'` gives the pinball-only choice. The combination is quantile-wise:
 * p_q = sum_m w_{q,m} p_{q,m}. A member never selected has weight 0; a tie keeps the earlier member,
 * so the result is deterministic. Products without history (new listings) go to the optional
 * cold-start model.
 */
import { startForecast, type FitOptions, type ForecastModel, type QuantileForecast, type SeriesInput } from './model';
import { Criterion, ValidationSet, flatten, greedySelect, pinballLoss, rmsseLoss, rmsseScaleOf, validationSet } from './ensemble-weights';
import { truncateSeries } from './series';
import { CalibratedModel } from './calibrated';
import { combineFused, type MemberOutput } from './fused';

export interface EnsembleOptions {
  validation?: number;
  rounds?: number;
  /** Minimum history after the cut for a series to be scored in validation. */
  minHistory?: number;
  coldStart?: ForecastModel;
  name?: string;
  /** Validation loss of the p50 weights: WQL's p50 term plus RMSSE (default), or the pinball loss alone. */
  p50Loss?: 'wql+rmsse' | 'pinball';
}

/** Days of the validation window cut from the end of each training series. */
export const VALIDATION = 28;
/** Minimum history left after the cut for a series to be scored in validation. */
export const MIN_HISTORY = 14;

const Q = [0.1, 0.5, 0.9] as const;
const KEYS = ['p10', 'p50', 'p90'] as const;

export interface EnsembleWeights {
  members: string[];
  /** weights[k][m]: weight of member m for quantile k (p10, p50, p90). */
  weights: number[][];
  /** Validation WQL of each member and of the combination. */
  validationWql: Record<string, number>;
  /** Validation RMSSE (of p50) of each member and of the combination. */
  validationRmsse: Record<string, number>;
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
    const V = this.opts.validation ?? VALIDATION;
    const minHistory = this.opts.minHistory ?? MIN_HISTORY;
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
    const v = validationSet(actual, scored.map(({ cut: s }) => rmsseScaleOf(s.history)));
    this.weights = chooseWeights(preds, v, this.opts);
    this.report = this.describe(preds, v);
    if (this.opts.coldStart?.fit) await this.opts.coldStart.fit(train, opts);
  }

  /**
   * The members with weight in some quantile, and their weights: a member of weight 0 everywhere
   * adds 0 x its forecast, so it is not run (on Online Retail holt and arima often get no weight, and
   * arima is the dearest member). Before fit() every member has weight 1/m.
   */
  used(): { members: ForecastModel[]; weights: number[][] } {
    const keep = this.members.map((_, m) => this.weights.some((w) => w[m] > 0));
    return { members: this.members.filter((_, m) => keep[m]), weights: this.weights.map((w) => w.filter((_, m) => keep[m])) };
  }

  private describe(preds: QuantileForecast[][], v: ValidationSet): EnsembleWeights {
    const combined = preds[0].map((_, i) => combine(preds.map((p) => p[i]), this.weights));
    const wql: Record<string, number> = {};
    const rmsse: Record<string, number> = {};
    const rm = rmsseLoss(v);
    [...this.members.map((m, j) => [m.name, preds[j]] as const), [this.name, combined] as const].forEach(([name, fs]) => {
      const flat = KEYS.map((key) => flatten([fs], key, v.V)[0]);
      wql[name] = (2 * KEYS.reduce((a, _, k) => a + pinballLoss(v, Q[k])(flat[k]), 0)) / 3 / v.total;
      rmsse[name] = rm(flat[1]);
    });
    return { members: this.members.map((m) => m.name), weights: this.weights, validationWql: wql, validationRmsse: rmsse };
  }

  forecast(batch: SeriesInput[], horizon: number): Promise<QuantileForecast[]> {
    return this.start(batch, horizon)();
  }

  /**
   * The offloaded members (the LSTM on its thread) are started now; the rest, called later, runs the
   * others on this thread while the thread works, then combines. Which members are offloaded is
   * decided here once: `offloaded` may change before the rest is called (the thread loads or dies).
   */
  start(batch: SeriesInput[], horizon: number): () => Promise<QuantileForecast[]> {
    const known = batch.map((s, i) => ({ s, i })).filter(({ s }) => s.history.length > 0 || !this.opts.coldStart);
    const fresh = batch.map((s, i) => ({ s, i })).filter(({ s }) => s.history.length === 0 && this.opts.coldStart);
    const inputs = known.map(({ s }) => s);
    const { members, weights } = this.used();
    // each member as startForecast starts a model: an offloaded one now (its early promise handled
    // there), the others when the rest is called; calibrated members give their parts instead
    const rests = inputs.length ? members.map((m) => (m instanceof CalibratedModel ? undefined : startForecast(m, inputs, horizon))) : [];
    return async () => {
      const out: QuantileForecast[] = new Array(batch.length);
      if (inputs.length) {
        const started = rests.map((rest) => rest?.());
        for (const p of started) p?.catch(() => undefined);
        // calibrated members: their parts only, combined below without their quantile arrays (fused.ts)
        const parts = members.map((m) => (m instanceof CalibratedModel ? m.parts(inputs, horizon) : undefined));
        const arrays = await Promise.all(started);
        const outputs: MemberOutput[] = members.map((_, k) => parts[k] ?? arrays[k]!);
        known.forEach(({ s, i }, j) => (out[i] = combineFused(j, s, outputs, weights, horizon)));
      }
      if (fresh.length) {
        const f = await this.opts.coldStart!.forecast(fresh.map(({ s }) => s), horizon);
        fresh.forEach(({ i }, j) => (out[i] = f[j]));
      }
      return out;
    };
  }
}

/**
 * forecast() of the members that `include` picks, offloaded ones (on another thread) called first so
 * the synchronous work of the others overlaps theirs; in member order, undefined where not picked.
 */
export function startOffloadedFirst(members: ForecastModel[], inputs: SeriesInput[], horizon: number, include: (m: ForecastModel) => boolean = () => true): (Promise<QuantileForecast[]> | undefined)[] {
  const started = new Array<Promise<QuantileForecast[]> | undefined>(members.length);
  for (const pass of [true, false]) members.forEach((m, k) => include(m) && Boolean(m.offloaded) === pass && (started[k] = m.forecast(inputs, horizon)));
  return started;
}

/** Weights[k][m] of quantile k (p10, p50, p90) and member m from the members' validation forecasts. */
export function chooseWeights(preds: QuantileForecast[][], v: ValidationSet, opts: Pick<EnsembleOptions, 'p50Loss' | 'rounds'> = {}): number[][] {
  return KEYS.map((key, k) => greedySelect(flatten(preds, key, v.V), lossOf(v, k, opts.p50Loss ?? 'wql+rmsse'), opts.rounds ?? 20));
}

function lossOf(v: ValidationSet, k: number, p50Loss: 'wql+rmsse' | 'pinball'): Criterion {
  const pin = pinballLoss(v, Q[k]);
  if (k !== 1 || p50Loss === 'pinball') return pin;
  const rmsse = rmsseLoss(v);
  // WQL = mean over the 3 quantiles of 2 * pinball / sum y: p50's term is 2/3 of its pinball over sum y.
  return (p) => (2 * pin(p)) / 3 / v.total + rmsse(p);
}

/** Quantile-wise weighted average; the triple is re-ordered per step (weights differ by quantile). */
export function combine(fs: QuantileForecast[], w: number[][]): QuantileForecast {
  return combineFused(0, undefined, fs.map((f) => [f]), w, fs[0].p50.length);
}
