/**
 * The residual LSTM corrects calibrated ses (shared/ml/baseline.ts): before any training step its
 * forecast must BE the ses model's forecast, and the older head (residual: false) must still work.
 */
import { initBackend } from '../../../shared/ml/backend';
import { GlobalLstmModel } from '../../../shared/ml/lstm';
import { statisticalModel } from '../../../shared/forecasting/index';
import type { QuantileForecast } from '../../../shared/forecasting/model';
import { inputAt, synthProducts } from './synthetic';

const START = 15000;
const ORIGIN = START + 150 - 1;
const H = 14;
const tiny = { lookback: 14, hidden: 8, dense: 16, samplesPerEpoch: 512, batchSize: 128, textDims: 4, validate: false };
const products = synthProducts(80, 150, START, 7);
const inputs = products.filter((p) => p.firstDay <= ORIGIN - 30).map((p) => inputAt(p, ORIGIN, true, true));

beforeAll(() => initBackend('wasm'));

const maxRelDiff = (a: QuantileForecast[], b: QuantileForecast[]) => {
  let worst = 0;
  a.forEach((f, i) => (['p10', 'p50', 'p90'] as const).forEach((q) => f[q].forEach((v, h) => {
    worst = Math.max(worst, Math.abs(v - b[i][q][h]) / (1e-6 + Math.abs(b[i][q][h])));
  })));
  return worst;
};

describe('residual LSTM on the ses baseline', () => {
  it('forecasts exactly calibrated ses before training (zero-initialised output layer)', async () => {
    const m = new GlobalLstmModel({ ...tiny, epochs: 0 });
    await m.fit(inputs, { horizon: H });
    const ses = statisticalModel('ses');
    await ses.fit(inputs);
    const [fl, fs] = [await m.forecast(inputs, H), await ses.forecast(inputs, H)];
    // float32 inside the network: equal to ~1e-6 relative, and not trivially (ses forecasts > 0)
    expect(fs.some((f) => f.p50.some((v) => v > 1))).toBe(true);
    expect(maxRelDiff(fl, fs)).toBeLessThan(1e-5);
    expect(m.metadata.formatVersion).toBe(2);
    m.dispose();
  });

  it('moves away from ses once trained, with ordered non-negative quantiles', async () => {
    const m = new GlobalLstmModel({ ...tiny, epochs: 2 });
    await m.fit(inputs, { horizon: H });
    const ses = statisticalModel('ses');
    await ses.fit(inputs);
    const fl = await m.forecast(inputs, H);
    expect(maxRelDiff(fl, await ses.forecast(inputs, H))).toBeGreaterThan(1e-3);
    for (const f of fl) for (let h = 0; h < H; h++) {
      expect(f.p10[h]).toBeGreaterThanOrEqual(0);
      expect(f.p10[h]).toBeLessThanOrEqual(f.p50[h]);
      expect(f.p50[h]).toBeLessThanOrEqual(f.p90[h]);
    }
    m.dispose();
  });

  it('keeps the older head (format 1) available with residual: false', async () => {
    const m = new GlobalLstmModel({ ...tiny, epochs: 1, residual: false });
    await m.fit(inputs, { horizon: H });
    expect(m.metadata.formatVersion).toBe(1);
    expect(m.metadata.scalers.ses).toBeUndefined();
    expect(Object.keys(m.weights())).toContain('profile_k');
    const f = await m.forecast(inputs.slice(0, 3), H);
    expect(f[0].p50).toHaveLength(H);
    m.dispose();
  });
});
