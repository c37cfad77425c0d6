/**
 * The allocation-free fast paths of the models (worker speed, issue 3) against straightforward
 * reference implementations of the same definitions: results must be exactly equal, since the
 * backtest figures depend on them.
 */
import { holtFilter } from '../../../shared/domain/smoothing';
import { etsFilter, fitEts, type EtsFit, type EtsParams, type TrendType, ETS_GRID } from '../../../shared/forecasting/ets';
import { fitHolt, holtSseInline, initialState, HOLT_ALPHAS, HOLT_BETAS, SES_ALPHAS } from '../../../shared/forecasting/exp-smoothing';
import { KnnIndex, knn, similarity } from '../../../shared/forecasting/knn';
import { poolQuantiles } from '../../../shared/forecasting/cold-start';
import { tidy, type QuantileForecast } from '../../../shared/forecasting/model';
import { CrostonForecaster } from '../../../shared/forecasting/intermittent';
import { gaussian, mulberry32 } from '../../../shared/forecasting/series';

const rand = mulberry32(2026);
const normal = gaussian(mulberry32(7));
const lumpy = (n: number, p = 0.35) => Float64Array.from({ length: n }, () => (rand() < p ? Math.floor(rand() * 40) : 0));
const trending = (n: number) => Float64Array.from({ length: n }, (_, t) => Math.max(0, 5 + 0.2 * t + 3 * Math.sin(t) + normal()));

/** fitEts as defined: every candidate through etsFilter, the lowest AIC, the first on ties. */
function referenceEts(y: Float64Array, trends: TrendType[], m = 7, grid = ETS_GRID): EtsFit {
  const n = y.length;
  let best: EtsFit | undefined;
  for (const trend of trends) {
    for (const alpha of grid.alpha) {
      for (const gamma of grid.gamma) {
        for (const beta of trend === 'N' ? [0] : grid.beta) {
          const params: EtsParams = { trend, alpha, beta, gamma, phi: grid.phi };
          const f = etsFilter(y, params, m);
          const k = (trend === 'N' ? 2 : 3) + 1 + (trend === 'N' ? 0 : 1) + (m - 1) + (trend === 'Ad' ? 1 : 0);
          const aic = n * Math.log(Math.max(f.sse, 1e-12) / n) + 2 * k;
          if (!best || aic < best.aic) best = { ...f, params, aic };
        }
      }
    }
  }
  return best!;
}

/** The k best references by a full sort of similarity(), ties to the lower index: what KnnIndex must return. */
function bruteKnn(vectors: (Float32Array | undefined)[], prices: number[], query: Float32Array | undefined, price: number | undefined, k: number): number[] {
  const scored = vectors.map((v, i) => ({ i, s: similarity(query, price, v, prices[i], 0.1) }));
  scored.sort((a, b) => b.s - a.s || a.i - b.i);
  return scored.slice(0, Math.min(k, scored.length)).map((x) => x.i);
}

describe('fast paths give exactly the reference results', () => {
  it('fitEts: the same parameters, states, SSE and AIC as the etsFilter grid', () => {
    const series = [lumpy(7), lumpy(13), lumpy(112), lumpy(112, 0.9), trending(60), trending(112), new Float64Array(30)];
    for (const y of series) {
      for (const trends of [['N', 'A', 'Ad'], ['N'], ['Ad', 'A']] as TrendType[][]) {
        const got = fitEts(y, trends);
        const want = referenceEts(y, trends);
        expect(got.params).toEqual(want.params);
        expect([got.level, got.slope, got.sse, got.aic]).toEqual([want.level, want.slope, want.sse, want.aic]);
        expect(Array.from(got.season)).toEqual(Array.from(want.season));
      }
      // an odd number of candidates (they run two at a time)
      const odd = { alpha: [0.1, 0.3, 0.6], beta: [0.02], gamma: [0.05], phi: 0.8 };
      for (const trends of [['Ad'], ['N', 'A', 'Ad']] as TrendType[][]) {
        const [got, want] = [fitEts(y, trends, 7, odd), referenceEts(y, trends, 7, odd)];
        expect({ ...got, season: Array.from(got.season) }).toEqual({ ...want, season: Array.from(want.season) });
      }
    }
  });

  it('fitHolt: the SSE of holtSseInline and the final state of holtFilter for the winning pair', () => {
    for (const y of [lumpy(3), lumpy(182), trending(112), new Float64Array(10)]) {
      for (const [alphas, betas] of [[SES_ALPHAS, [0]], [HOLT_ALPHAS, HOLT_BETAS], [[0.3], [0.1]], [[0.1, 0.2, 0.4], [0, 0.05]]]) {
        const init = initialState(y);
        let best: { alpha: number; beta: number; sse: number } | undefined;
        for (const alpha of alphas) for (const beta of betas) {
          const sse = holtSseInline(y, alpha, beta, init.level, init.trend);
          if (!best || sse < best.sse) best = { alpha, beta, sse };
        }
        const fit = fitHolt(y, alphas, betas);
        expect(fit.params).toEqual({ alpha: best!.alpha, beta: best!.beta });
        expect(fit.sse).toBe(best!.sse);
        expect(fit.state).toEqual(holtFilter(y, fit.params, init));
      }
    }
  });

  it('KnnIndex: the ranking of a full sort by similarity(), ties to the lower index', () => {
    const dim = 24;
    const vec = () => Float32Array.from({ length: dim }, () => normal());
    const base = vec();
    // duplicates (equal scores), references without an embedding or a price
    const vectors = Array.from({ length: 300 }, (_, i) => (i % 17 === 0 ? undefined : i % 5 === 0 ? base : vec()));
    const prices = vectors.map((_, i) => (i % 11 === 0 ? NaN : 1 + rand() * 20));
    const index = new KnnIndex(vectors, prices);
    for (const [query, price] of [[base, 5], [vec(), undefined], [undefined, 3], [vec(), 0]] as [Float32Array | undefined, number | undefined][]) {
      for (const k of [1, 7, 40, 400]) {
        const want = bruteKnn(vectors, prices, query, price, k);
        expect(index.nearest(query, price, k, 0.1)).toEqual(want);
        expect(knn(vectors, prices, query, price, k, 0.1)).toEqual(want);
      }
    }
  });

  it('KnnIndex.nearestMany: each query ranked as nearest() ranks it alone, queries paired or not', () => {
    const dim = 20;
    const vec = () => Float32Array.from({ length: dim }, () => normal());
    const base = vec();
    const vectors = Array.from({ length: 203 }, (_, i) => (i % 13 === 0 ? undefined : i % 7 === 0 ? base : vec()));
    const prices = vectors.map((_, i) => (i % 9 === 0 ? NaN : 1 + rand() * 20));
    const index = new KnnIndex(vectors, prices);
    // runs of matrix queries (paired two by two, an odd one left), broken by queries without an embedding
    const queries = [base, vec(), vec(), undefined, vec(), vec(), vec(), undefined, undefined, vec()].map((embedding, i) => ({ embedding, price: i % 3 === 0 ? undefined : 1 + i }));
    for (const k of [1, 40, 500]) {
      const want = queries.map(({ embedding, price }) => bruteKnn(vectors, prices, embedding, price, k));
      expect(index.nearestMany(queries, k, 0.1)).toEqual(want);
      expect(index.nearestMany(queries.slice(1), k, 0.1)).toEqual(want.slice(1));
    }
  });

  it('poolQuantiles: the p10/p50/p90 of the whole pool sorted, zeros counted instead of stored', () => {
    const sortedAt = (all: Float64Array, q: number) => {
      const x = (all.length - 1) * q;
      const lo = Math.floor(x);
      const hi = Math.min(all.length - 1, lo + 1);
      return all[lo] + (x - lo) * (all[hi] - all[lo]);
    };
    for (let trial = 0; trial < 300; trial++) {
      const n = trial % 50;
      const all = Float64Array.from({ length: n }, () => {
        const r = rand();
        return r < 0.6 ? 0 : r < 0.7 ? -Math.floor(rand() * 5) - 1 : r < 0.72 ? 2.5 : Math.floor(rand() * 30) + 1;
      });
      const pool = new Float64Array(n);
      const c = { nonzero: 0, negative: 0, zeros: 0 };
      for (const v of all) {
        if (v === 0) c.zeros++;
        else {
          pool[c.nonzero++] = v;
          if (v < 0) c.negative++;
        }
      }
      all.sort();
      const want = n === 0 ? [0, 0, 0] : [sortedAt(all, 0.1), sortedAt(all, 0.5), sortedAt(all, 0.9)];
      expect([trial, ...poolQuantiles(pool, c)]).toEqual([trial, ...want]);
    }
  });

  it('KnnIndex: references of mixed dimensions still score each one (and a mismatch with the query is named)', () => {
    const index = new KnnIndex([new Float32Array([1, 0]), new Float32Array([0, 1, 0])], [1, 1]);
    expect(() => index.nearest(new Float32Array([0, 1, 0]), 1, 2, 0)).toThrow(/dimensions differ: 3 vs 2/);
    expect(new KnnIndex([new Float32Array([1, 0, 0]), new Float32Array([0, 1, 0])], [1, 1]).nearest(new Float32Array([0, 1, 0]), 1, 1, 0)).toEqual([1]);
  });

  it('Croston and SBA share one fit per history array and window: the same forecasts as on fresh arrays', () => {
    for (const y of [lumpy(300), lumpy(50, 0.1), new Float64Array(20)]) {
      const shared = Float64Array.from(y);
      for (const m of [new CrostonForecaster('sba'), new CrostonForecaster('croston'), new CrostonForecaster('sba', 30), new CrostonForecaster('croston', 30)]) {
        expect(Array.from(m.point(shared, 5))).toEqual(Array.from(m.point(Float64Array.from(y), 5)));
      }
    }
  });

  it('tidy: each step sorted and clamped at 0, non-finite values 0, as a sort of the triple gives', () => {
    const pick = () => [NaN, Infinity, -Infinity, -3, 0, 2.5, 2.5, 7][Math.floor(rand() * 8)] * (rand() < 0.5 ? 1 : rand());
    for (let r = 0; r < 200; r++) {
      const h = 1 + Math.floor(rand() * 30);
      const f: QuantileForecast = { p10: Array.from({ length: h }, pick), p50: Array.from({ length: h }, pick), p90: Array.from({ length: h }, pick) };
      const want: QuantileForecast = { p10: [], p50: [], p90: [] };
      for (let i = 0; i < h; i++) {
        const v = [f.p10[i], f.p50[i], f.p90[i]].map((x) => (Number.isFinite(x) ? Math.max(0, x) : 0)).sort((a, b) => a - b);
        want.p10.push(v[0]);
        want.p50.push(v[1]);
        want.p90.push(v[2]);
      }
      expect(tidy(f)).toEqual(want);
    }
  });
});
