import { holtApply, holtFilter, holtStep, holtUnstep, matPow, transition } from '../../../shared/domain/smoothing';
import { smoothingAt } from '../../../shared/domain/series';
import type { ProductSnapshot } from '../../../shared/domain/state';

const p = { alpha: 0.3, beta: 0.1 };

function rng(seed: number) {
  let a = seed;
  return () => ((a = (a * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('Holt smoothing', () => {
  test('one step follows the textbook recursion', () => {
    // level' = 0.3*10 + 0.7*(5 + 1) = 7.2; trend' = 0.1*(7.2-5) + 0.9*1 = 1.12
    const s = holtStep({ level: 5, trend: 1 }, 10, p);
    expect(s.level).toBeCloseTo(7.2, 12);
    expect(s.trend).toBeCloseTo(1.12, 12);
  });

  test('SES (beta = 0) on a hand-computed series', () => {
    // from zero: 0.5*4 = 2; 0.5*2 + 0.5*2 = 2; 0.5*6 + 0.5*2 = 4
    const s = holtFilter([4, 2, 6], { alpha: 0.5, beta: 0 });
    expect(s.level).toBeCloseTo(4, 12);
    expect(s.trend).toBe(0);
  });

  test('matrix power equals repeated multiplication', () => {
    const m = transition(p);
    let r = [1, 0, 0, 1];
    for (let i = 0; i < 13; i++) r = [r[0] * m[0] + r[1] * m[2], r[0] * m[1] + r[1] * m[3], r[2] * m[0] + r[3] * m[2], r[2] * m[1] + r[3] * m[3]];
    matPow(m, 13).forEach((v, i) => expect(v).toBeCloseTo(r[i], 12));
  });

  test('streaming updates in any order equal the batch filter over the bucket sums', () => {
    const rand = rng(7);
    const events = Array.from({ length: 300 }, () => ({ bucket: Math.floor(rand() * 60), q: Math.round(rand() * 20) - 3 }));
    const sums = new Array(60).fill(0);
    for (const e of events) sums[e.bucket] += e.q;
    const last = Math.max(...events.map((e) => e.bucket));
    const batch = holtFilter(sums.slice(0, last + 1), p);
    for (const order of [events, [...events].reverse(), [...events].sort((a, b) => a.bucket - b.bucket)]) {
      let st = { level: 0, trend: 0 };
      let latest = order[0].bucket;
      for (const e of order) ({ state: st, latest } = holtApply(st, latest, e.bucket, e.q, p));
      expect(latest).toBe(last);
      expect(st.level).toBeCloseTo(batch.level, 9);
      expect(st.trend).toBeCloseTo(batch.trend, 9);
    }
  });
});

describe('going back a bucket (the forecast origin before an unfinished bucket)', () => {
  const p = { alpha: 0.3, beta: 0.1 };
  test('holtUnstep undoes holtStep; alpha = 1 cannot be undone', () => {
    const s = holtFilter([3, 0, 7, 2, 9, 0, 0, 4], p);
    for (const y of [0, 5, -2, 1000]) {
      const back = holtUnstep(holtStep(s, y, p), y, p)!;
      expect(back.level).toBeCloseTo(s.level, 10);
      expect(back.trend).toBeCloseTo(s.trend, 10);
    }
    expect(holtUnstep(s, 1, { alpha: 1, beta: 0.1 })).toBeNull();
  });

  test('smoothingAt an earlier bucket equals the filter over the buckets up to it; later ones carry forward', () => {
    const values = [4, 0, 0, 6, 2, 8, 1];
    const s = holtFilter(values, p);
    const snap = { sku: 'X', demand: { oldest: 100, latest: 106, values }, smoothing: { ...s, latest: 106 } } as unknown as ProductSnapshot;
    for (const back of [1, 2, 3]) {
      const ref = holtFilter(values.slice(0, values.length - back), p);
      const got = smoothingAt(snap, 106 - back, p);
      expect(got.level).toBeCloseTo(ref.level, 9);
      expect(got.trend).toBeCloseTo(ref.trend, 9);
    }
    const ahead = smoothingAt(snap, 108, p);
    const refAhead = holtFilter([...values, 0, 0], p);
    expect(ahead.level).toBeCloseTo(refAhead.level, 9);
    expect(smoothingAt(snap, 106, p)).toEqual({ level: s.level, trend: s.trend });
    // before the first bucket the filter has seen nothing: the zero state
    expect(smoothingAt(snap, 90, p).level).toBeCloseTo(0, 9);
    expect(smoothingAt(snap, 90, p).trend).toBeCloseTo(0, 9);
  });
});
