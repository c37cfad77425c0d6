import { ColdStartModel } from '../../../shared/forecasting/cold-start';
import { knn } from '../../../shared/forecasting/knn';
import type { SeriesInput } from '../../../shared/forecasting/model';
import { DAY_MS, gaussian, mulberry32, stepWeekday } from '../../../shared/forecasting/series';

const DIM = 16;
const rand = gaussian(mulberry32(42));

function near(axis: number): Float32Array {
  const v = Float32Array.from({ length: DIM }, (_, i) => (i === axis ? 1 : 0) + 0.1 * rand());
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

const ORIGIN_DAY = 15000;

/** References launched 60..100 days before the origin: cluster 0 sells `a` a day, cluster 1 sells `b`; Saturdays closed. */
function references(a: number, b: number): SeriesInput[] {
  const out: SeriesInput[] = [];
  for (let i = 0; i < 40; i++) {
    const cluster = i % 2;
    const start = (ORIGIN_DAY - 60 - i) * DAY_MS;
    const s0: SeriesInput = { sku: `R${i}`, history: new Float64Array(0), startTime: start, bucketMs: DAY_MS };
    const history = Float64Array.from({ length: 61 + i }, (_, t) => (stepWeekday(s0, t + 1) === 6 ? 0 : cluster ? b : a));
    out.push({ sku: `R${i}`, history, startTime: start, bucketMs: DAY_MS, embedding: near(cluster), price: cluster ? 10 : 1 });
  }
  return out;
}

const fresh = (axis: number, price?: number): SeriesInput => ({
  sku: 'NEW',
  history: new Float64Array(0),
  startTime: (ORIGIN_DAY + 1) * DAY_MS,
  bucketMs: DAY_MS,
  embedding: axis >= 0 ? near(axis) : undefined,
  price,
});

describe('cold start', () => {
  it('k-NN ranks by cosine, and price breaks ties between equal texts', () => {
    const v = [near(0), near(1), near(0)];
    expect(knn(v, [1, 1, 1], near(1), 1, 1, 0)).toEqual([1]);
    const same = new Float32Array(DIM).fill(1);
    expect(knn([same, same], [1, 8], same, 7, 1, 0.5)).toEqual([1]);
  });

  it('forecasts a new product from its nearest listings, launching inside the horizon', async () => {
    const m = new ColdStartModel({ k: 10 });
    await m.fit(references(10, 1));
    expect(m.referenceCount).toBe(40);
    const [a, b] = await m.forecast([fresh(0), fresh(1)], 28);
    const lastOpen = [27, 26, 25].find((h) => stepWeekday(fresh(0), h + 1) !== 6)!;
    // By the last days almost every launch offset has started: the neighbours' level.
    expect(a.p50[lastOpen]).toBe(10);
    expect(b.p50[lastOpen]).toBe(1);
    // On day 1 only launches on day 1 count, so the median is 0 and the p90 is the level at most.
    expect(a.p50[0]).toBe(0);
    // Saturdays: the references never sell, so neither does the forecast.
    for (let h = 0; h < 28; h++) if (stepWeekday(fresh(0), h + 1) === 6) expect(a.p90[h]).toBe(0);
  });

  it('launchSpread 1 means selling from step 1', async () => {
    const m = new ColdStartModel({ k: 10, launchSpread: 1 });
    await m.fit(references(10, 1));
    const [a] = await m.forecast([fresh(0)], 7);
    for (let h = 0; h < 7; h++) expect(a.p50[h]).toBe(stepWeekday(fresh(0), h + 1) === 6 ? 0 : 10);
  });

  it('uses the price alone when there is no embedding', async () => {
    const m = new ColdStartModel({ k: 10, launchSpread: 1 });
    await m.fit(references(10, 1));
    const [cheap, dear] = await m.forecast([fresh(-1, 1), fresh(-1, 10)], 7);
    const open = [0, 1, 2].find((h) => stepWeekday(fresh(0), h + 1) !== 6)!;
    expect(cheap.p50[open]).toBe(10);
    expect(dear.p50[open]).toBe(1);
  });

  it('refuses to forecast before fit', async () => {
    await expect(new ColdStartModel().forecast([fresh(0)], 1)).rejects.toThrow(/no reference products/);
  });
});
