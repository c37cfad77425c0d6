/**
 * Cache of the ensemble members' forecasts on the EVALUATION.md windows, so that ensemble weighting
 * schemes can be compared in seconds instead of a 7-minute backtest (the LSTM fits dominate).
 *
 * For each origin and member, exactly what Ensemble.fit and Ensemble.forecast compute: the member
 * fitted on the series cut 28 days before the origin forecasts those 28 days (the validation
 * window, inside the training data), then fitted on the full series it forecasts the 28 scored days.
 * Stored as Float64 binaries (exact figures) plus a JSON index, under --cache DIR (default in /tmp).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rmsseScale } from '../shared/backtest/metrics';
import type { RetailData } from '../shared/backtest/online-retail';
import { getModel, type ModelContext } from '../shared/backtest/registry';
import { HORIZON, ORIGINS, buildWindow, establishedInput } from '../shared/backtest/windows';
import type { QuantileForecast, SeriesInput } from '../shared/forecasting/model';
import { truncateSeries } from '../shared/forecasting/series';
import { VALIDATION, MIN_HISTORY } from '../shared/forecasting/ensemble';

export interface CachedWindow {
  origin: string;
  members: string[];
  /** Validation window: actual 28 days of the products scored there, and their scale from the cut history. */
  valActual: number[][];
  valRmsseScale: number[];
  /** Per member, the validation forecasts (same order as valActual). */
  val: QuantileForecast[][];
  /** Scored window: actuals, scales, and per member the forecasts of every established product. */
  actual: number[][];
  maseScale: number[];
  rmsseScale: number[];
  test: QuantileForecast[][];
}

const KEYS = ['p10', 'p50', 'p90'] as const;

function pack(fs: QuantileForecast[], h: number): Float64Array {
  const out = new Float64Array(fs.length * 3 * h);
  fs.forEach((f, i) => KEYS.forEach((k, q) => out.set(f[k].slice(0, h), (i * 3 + q) * h)));
  return out;
}

function unpack(buf: Float64Array, n: number, h: number): QuantileForecast[] {
  return Array.from({ length: n }, (_, i) => {
    const at = (q: number) => Array.from(buf.subarray((i * 3 + q) * h, (i * 3 + q + 1) * h));
    return { p10: at(0), p50: at(1), p90: at(2) };
  });
}

/**
 * The products Ensemble.fit scores on its validation window, as indices into `train`'s series longer
 * than the window; `fold` k > 1 is the window k*28..(k-1)*28 days before the origin.
 */
export function validationSet(train: SeriesInput[], fold = 1): { cut: SeriesInput[]; scored: number[]; full: SeriesInput[] } {
  const full = train.filter((s) => s.history.length > VALIDATION * fold);
  const cut = full.map((s) => truncateSeries(s, VALIDATION * fold));
  const scored = cut.map((_, i) => i).filter((i) => cut[i].history.length >= MIN_HISTORY);
  return { cut, scored, full };
}

export interface ExtraFold {
  valActual: number[][];
  valRmsseScale: number[];
  val: QuantileForecast[][];
}

/** Validation folds 2..`folds` of one origin (members fitted on the series cut k*28 days earlier). */
export async function extraFolds(data: RetailData, origin: string, members: string[], folds: number, dir: string, vectors = new Map<string, Float32Array>()): Promise<ExtraFold[]> {
  const w = buildWindow(data, origin);
  const train = w.established.map((it) => establishedInput(it, vectors.get(it.text)));
  const out: ExtraFold[] = [];
  for (let k = 2; k <= folds; k++) {
    const file = join(dir, `${origin}.fold${k}.json`);
    const { cut, scored, full } = validationSet(train, k);
    const valActual = scored.map((i) => Array.from(full[i].history).slice(cut[i].history.length, cut[i].history.length + VALIDATION));
    const val: QuantileForecast[][] = [];
    const cached = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as string[]) : [];
    for (const name of members) {
      const bin = join(dir, `${origin}.${name}.fold${k}.bin`);
      if (cached.includes(name) && existsSync(bin)) {
        const b = readFileSync(bin);
        val.push(unpack(new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8), scored.length, VALIDATION));
        continue;
      }
      const m = getModel(name).create(noCtx);
      if (m.fit) await m.fit(cut, { horizon: VALIDATION });
      const f = await m.forecast(cut, VALIDATION);
      val.push(scored.map((i) => f[i]));
      writeFileSync(bin, pack(val[val.length - 1], VALIDATION));
      cached.push(name);
      writeFileSync(file, JSON.stringify(cached));
    }
    out.push({ valActual, valRmsseScale: scored.map((i) => rmsseScale(cut[i].history)), val });
  }
  return out;
}

const noCtx: ModelContext = {
  ensembleMembers: [],
  member: () => {
    throw new Error('ensemble-cache: members must not depend on other models');
  },
};

async function buildOne(data: RetailData, origin: string, members: string[], vectors: Map<string, Float32Array>, log: (m: string) => void): Promise<CachedWindow> {
  const w = buildWindow(data, origin);
  const train = w.established.map((it) => establishedInput(it, vectors.get(it.text)));
  const { cut, scored, full } = validationSet(train);
  const out: CachedWindow = {
    origin, members, val: [], test: [],
    valActual: scored.map((i) => Array.from(full[i].history).slice(cut[i].history.length, cut[i].history.length + VALIDATION)),
    valRmsseScale: scored.map((i) => rmsseScale(cut[i].history)),
    actual: w.established.map((it) => Array.from(it.actual)),
    maseScale: w.established.map((it) => it.maseScale),
    rmsseScale: w.established.map((it) => it.rmsseScale),
  };
  for (const name of members) {
    const t0 = Date.now();
    const m = getModel(name).create(noCtx);
    if (m.fit) await m.fit(cut, { horizon: VALIDATION });
    const f = await m.forecast(cut, VALIDATION);
    out.val.push(scored.map((i) => f[i]));
    if (m.fit) await m.fit(train, { horizon: HORIZON });
    out.test.push(await m.forecast(train, HORIZON));
    (m as { dispose?: () => void }).dispose?.();
    log(`${origin} ${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  return out;
}

function save(dir: string, c: CachedWindow): void {
  const { val, test, ...meta } = c;
  writeFileSync(join(dir, `${c.origin}.json`), JSON.stringify(meta));
  c.members.forEach((m, j) => {
    writeFileSync(join(dir, `${c.origin}.${m}.val.bin`), pack(val[j], VALIDATION));
    writeFileSync(join(dir, `${c.origin}.${m}.test.bin`), pack(test[j], HORIZON));
  });
}

function load(dir: string, origin: string, members: string[]): CachedWindow | undefined {
  const idx = join(dir, `${origin}.json`);
  if (!existsSync(idx)) return undefined;
  const meta = JSON.parse(readFileSync(idx, 'utf8')) as Omit<CachedWindow, 'val' | 'test'>;
  if (members.some((m) => !meta.members.includes(m))) return undefined;
  const read = (m: string, kind: string) => {
    const b = readFileSync(join(dir, `${origin}.${m}.${kind}.bin`));
    return new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
  };
  return {
    ...meta,
    members,
    val: members.map((m) => unpack(read(m, 'val'), meta.valActual.length, VALIDATION)),
    test: members.map((m) => unpack(read(m, 'test'), meta.actual.length, HORIZON)),
  };
}

/** The cached windows for these members, computing (and storing) the ones missing. */
export async function memberForecasts(
  data: () => Promise<{ data: RetailData; vectors: Map<string, Float32Array> }>,
  dir: string,
  members: string[],
  log: (m: string) => void,
): Promise<CachedWindow[]> {
  mkdirSync(dir, { recursive: true });
  const out: CachedWindow[] = [];
  let loaded: { data: RetailData; vectors: Map<string, Float32Array> } | undefined;
  for (const origin of ORIGINS) {
    let c = load(dir, origin, members);
    if (!c) {
      loaded ??= await data();
      c = await buildOne(loaded.data, origin, members, loaded.vectors, log);
      save(dir, c);
    }
    out.push(c);
  }
  return out;
}
