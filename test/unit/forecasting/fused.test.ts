/**
 * The ensemble's fused combination (shared/forecasting/fused.ts) against the plain one: every member's
 * forecast() then a weighted sum written out here, on series of every kind, fitted and not, with a member that is not a
 * calibrated model among them. Bit-identical, not approximately equal.
 */
import { Ensemble } from '../../../shared/forecasting/ensemble';
import { combineFused } from '../../../shared/forecasting/fused';
import { STATISTICAL_MODELS, statisticalModel } from '../../../shared/forecasting/index';
import type { ForecastModel, QuantileForecast, SeriesInput } from '../../../shared/forecasting/model';
import { DAY_MS, mulberry32 } from '../../../shared/forecasting/series';

function synth(n: number, seed: number): SeriesInput[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const len = 20 + Math.floor(rand() * 300);
    const kind = i % 4;
    const history = Float64Array.from({ length: len }, (_, t) => {
      if (kind === 0) return rand() < 0.85 ? 0 : Math.ceil(rand() * 6); // intermittent
      if (kind === 1) return Math.round((2 + t * 0.05) * (t % 7 === 6 ? 0 : 1) * (0.5 + rand())); // trend, closed day
      if (kind === 2) return Math.round(20 * rand()); // noisy
      return t % 9 === 0 ? 40 : 0; // rare bursts
    });
    history[len - 1] += 1;
    return { sku: `S${i}`, history, startTime: (15000 + (i % 7)) * DAY_MS, bucketMs: DAY_MS };
  });
}

/** A member that is not a CalibratedModel (as the LSTM is): its arrays are combined as they are. */
const wobbly: ForecastModel = {
  name: 'wobbly',
  forecast: async (b, h) => b.map((s, i): QuantileForecast => {
    const v = (s.history.length % 5) + i * 0.01;
    return { p10: Array.from({ length: h }, (_, t) => v * 0.3 + t * 1e-3), p50: Array.from({ length: h }, () => v), p90: Array.from({ length: h }, (_, t) => v * 2.5 - t * 1e-3) };
  }),
};

/** The combination written out the plain way, independently of the code under test. */
function plainCombine(fs: QuantileForecast[], w: number[][]): QuantileForecast {
  const h = fs[0].p50.length;
  const out: QuantileForecast = { p10: [], p50: [], p90: [] };
  for (let t = 0; t < h; t++) {
    let [a, b, c] = [0, 0, 0];
    fs.forEach((f, m) => {
      a += w[0][m] * f.p10[t];
      b += w[1][m] * f.p50[t];
      c += w[2][m] * f.p90[t];
    });
    [a, b, c] = [a, b, c].sort((x, y) => x - y);
    out.p10.push(Math.max(0, a));
    out.p50.push(Math.max(0, b));
    out.p90.push(Math.max(0, c));
  }
  return out;
}

async function reference(members: ForecastModel[], weights: number[][], batch: SeriesInput[], h: number): Promise<QuantileForecast[]> {
  const all = await Promise.all(members.map((m) => m.forecast(batch, h)));
  return batch.map((_, j) => plainCombine(all.map((f) => f[j]), weights));
}

function expectIdentical(a: QuantileForecast[], b: QuantileForecast[]): void {
  expect(a).toHaveLength(b.length);
  a.forEach((f, i) => {
    for (const k of ['p10', 'p50', 'p90'] as const) {
      expect(f[k]).toHaveLength(b[i][k].length);
      f[k].forEach((v, t) => {
        if (!Object.is(v, b[i][k][t])) throw new Error(`product ${i} ${k}[${t}]: ${v} !== ${b[i][k][t]}`);
      });
    }
  });
}

describe('fused combination', () => {
  const train = synth(120, 1);
  const batch = synth(80, 2);

  it('fitted: bit-identical to each member forecast() then the weighted sum, pruned members included', async () => {
    const members = [...STATISTICAL_MODELS.map((n) => statisticalModel(n)), wobbly];
    const e = new Ensemble(members);
    await e.fit(train, { horizon: 28 });
    const w = e.fitted!.weights;
    expect(w[0].map((_, m) => w.every((q) => q[m] === 0)).some(Boolean)).toBe(true); // some member is pruned (weight 0 in every quantile)
    expectIdentical(await e.forecast(batch, 28), await reference(members, w, batch, 28));
    expectIdentical(await e.forecast(batch, 5), await reference(members, w, batch, 5));
  });

  it('unfitted (equal weights, each calibrated member calibrating on the batch): bit-identical too', async () => {
    const members = [statisticalModel('ses'), wobbly, statisticalModel('tsb'), statisticalModel('arima')];
    const e = new Ensemble(members);
    const w = [0, 1, 2].map(() => members.map(() => 1 / members.length));
    expectIdentical(await e.forecast(batch, 28), await reference(members, w, batch, 28));
  });

  it('a calibrated member that throws fails the forecast with its error; an offloaded member failing later is no unhandled rejection', async () => {
    const broken = statisticalModel('ses');
    broken.parts = () => {
      throw new TypeError('bad shape');
    };
    const late: ForecastModel = { name: 'thread', offloaded: true, forecast: () => new Promise((_, ko) => setTimeout(() => ko(new Error('thread failed')), 20)) };
    await expect(new Ensemble([late, broken]).forecast(batch, 3)).rejects.toThrow('bad shape');
    // the offloaded member rejects inside this wait: jest fails the test on an unhandled rejection
    // (a process listener would not see it: jest gives each test file its own process object)
    await new Promise((r) => setTimeout(r, 60));
  });

  it('combineFused mixes calibrated parts and plain arrays under any weights, bit-identical to the plain sum', async () => {
    const ses = statisticalModel('ses');
    const tsb = statisticalModel('tsb');
    await ses.fit(train);
    await tsb.fit(train);
    const members = [ses, wobbly, tsb];
    const w = [[0.2, 0.5, 0.3], [0.25, 0.25, 0.5], [0.6, 0.3, 0.1]];
    const outputs = [ses.parts(batch, 28), await wobbly.forecast(batch, 28), tsb.parts(batch, 28)];
    const fused = batch.map((s, j) => combineFused(j, s, outputs, w, 28));
    expectIdentical(fused, await reference(members, w, batch, 28));
  });
});
