/**
 * EVALUATION.md end to end: four origins, established and new products, the reference baselines,
 * the registered models; measures per window, their mean over windows, and every row relative to the
 * best baseline (lowest mean WQL) of its segment.
 */
import type { ForecastModel, QuantileForecast, SeriesInput } from '../forecasting/model';
import { ESTABLISHED_BASELINES, NEW_BASELINES, NewProductBaselines, newBaseline } from './baselines';
import { SegmentScores, meanScores, scoreSegment } from './metrics';
import type { RetailData } from './online-retail';
import { dayToIso } from './online-retail';
import { ModelContext, Segment, getModel } from './registry';
import { HORIZON, ORIGINS, Window, buildWindow, establishedInput, newInput } from './windows';

export type Embed = (texts: string[]) => Promise<Float32Array[]>;

export interface BacktestOptions {
  models: string[];
  ensembleMembers: string[];
  embed?: Embed;
  origins?: readonly string[];
  /** Model whose forecasts are kept for the export (new products from it, or cold_start, or the best new baseline). */
  exportModel?: string;
  onProgress?: (done: number, total: number, label: string) => void;
  /** Sees every model's forecasts of a segment at an origin (in the order of the window's items), e.g. for the report. */
  onForecast?: (e: ForecastEvent) => void;
}

export interface ForecastEvent {
  model: string;
  segment: Segment;
  window: Window;
  forecasts: QuantileForecast[];
}

export interface Row {
  name: string;
  segment: Segment;
  kind: 'baseline' | 'model';
  windows: SegmentScores[];
  mean: SegmentScores;
  /** Each measure divided by the same measure of the segment's best baseline. */
  relative?: Record<'wql' | 'wape' | 'mase' | 'rmsse' | 'rmse', number>;
  seconds: number;
}

export interface ExportRow {
  origin: string;
  sku: string;
  date: string;
  p10: number;
  p50: number;
  p90: number;
}

export interface BacktestResult {
  windows: { origin: string; established: number; new: number; references: number }[];
  bestBaseline: Record<Segment, string>;
  rows: Row[];
  forecasts?: ExportRow[];
  exportSources?: Record<Segment, string>;
  /** What fitted models report about themselves (the ensemble's weights), per model and origin. */
  diagnostics: Record<string, Record<string, unknown>>;
}

/** Memoises fit and forecast on the identity of their arguments, so shared members are fitted once. */
export class SharedModel implements ForecastModel {
  readonly name: string;
  private lastTrain?: SeriesInput[];
  private cache = new Map<SeriesInput[], { h: number; out: QuantileForecast[] }>();
  readonly fit?: ForecastModel['fit'];

  constructor(readonly inner: ForecastModel) {
    this.name = inner.name;
    if (inner.fit) {
      this.fit = async (train, opts) => {
        if (train === this.lastTrain) return;
        this.cache.clear();
        await inner.fit!(train, opts);
        this.lastTrain = train;
      };
    }
  }

  async forecast(batch: SeriesInput[], horizon: number): Promise<QuantileForecast[]> {
    const hit = this.cache.get(batch);
    if (hit && hit.h === horizon) return hit.out;
    const out = await this.inner.forecast(batch, horizon);
    this.cache.set(batch, { h: horizon, out });
    return out;
  }
}

interface WindowInputs {
  w: Window;
  train: SeriesInput[];
  fresh: SeriesInput[];
}

async function embedAll(windows: Window[], embed: Embed | undefined): Promise<Map<string, Float32Array>> {
  const vectors = new Map<string, Float32Array>();
  if (!embed) return vectors;
  const texts = new Set<string>();
  for (const w of windows) for (const it of [...w.established, ...w.fresh]) texts.add(it.text);
  const list = [...texts];
  const vs = await embed(list);
  list.forEach((t, i) => vectors.set(t, vs[i]));
  return vectors;
}

function baselineRows(inputs: WindowInputs[]): Row[] {
  const rows: Row[] = [];
  for (const [name, f] of Object.entries(ESTABLISHED_BASELINES)) {
    const windows = inputs.map(({ w }) =>
      scoreSegment(w.established.map((it) => ({ actual: it.actual, forecast: f(it.history, HORIZON), maseScale: it.maseScale, rmsseScale: it.rmsseScale }))),
    );
    rows.push({ name, segment: 'established', kind: 'baseline', windows, mean: meanScores(windows), seconds: 0 });
  }
  for (const name of NEW_BASELINES) {
    // A window without new products has nothing to score (possible on small files); models skip it too.
    const windows = inputs.filter(({ w }) => w.fresh.length > 0).map(({ w }) => {
      const b = new NewProductBaselines(w.references);
      return scoreSegment(w.fresh.map((it) => ({ actual: it.actual, forecast: newBaseline(name, b, it.price, HORIZON) })));
    });
    rows.push({ name, segment: 'new', kind: 'baseline', windows, mean: meanScores(windows), seconds: 0 });
  }
  return rows;
}

function relativeTo(row: Row, base: Row): Row['relative'] {
  const r = (k: keyof SegmentScores) => row.mean[k] / base.mean[k];
  return { wql: r('wql'), wape: r('wape'), mase: r('mase'), rmsse: r('rmsse'), rmse: r('rmse') };
}

/** Ensembles first: their members' fits are then reused by the members' own rows. */
function runOrder(models: string[]): string[] {
  return [...models].sort((a, b) => Number(b === 'ensemble') - Number(a === 'ensemble'));
}

interface Accumulated {
  est: SegmentScores[];
  neu: SegmentScores[];
  seconds: number;
}

/** State of one backtest run: scores per model, kept forecasts, diagnostics. */
class Run {
  readonly perModel = new Map<string, Accumulated>();
  readonly kept = new Map<string, ExportRow[]>();
  readonly diagnostics: BacktestResult['diagnostics'] = {};

  constructor(private readonly opts: BacktestOptions) {}

  /** One model at one origin; `shared` holds this window's model instances. */
  async model(name: string, win: WindowInputs, ctx: ModelContext, shared: Map<string, SharedModel>): Promise<void> {
    const t0 = Date.now();
    const entry = getModel(name);
    const model = ctx.member(name);
    if (model.fit) await model.fit(win.train, { horizon: HORIZON });
    const report = (shared.get(name)!.inner as { fitted?: unknown }).fitted;
    if (name === 'ensemble' && report) (this.diagnostics[name] ??= {})[win.w.originIso] = report;
    const acc = this.perModel.get(name) ?? { est: [], neu: [], seconds: 0 };
    if (entry.segments.includes('established')) {
      const f = await model.forecast(win.train, HORIZON);
      acc.est.push(scoreSegment(win.w.established.map((it, i) => ({ actual: it.actual, forecast: f[i], maseScale: it.maseScale, rmsseScale: it.rmsseScale }))));
      if (name === this.opts.exportModel) keep(this.kept, name, 'established', win, f);
      this.opts.onForecast?.({ model: name, segment: 'established', window: win.w, forecasts: f });
    }
    if (entry.segments.includes('new') && win.fresh.length > 0) {
      const f = await model.forecast(win.fresh, HORIZON);
      acc.neu.push(scoreSegment(win.w.fresh.map((it, i) => ({ actual: it.actual, forecast: f[i] }))));
      if (name === this.opts.exportModel || name === 'cold_start') keep(this.kept, name, 'new', win, f);
      this.opts.onForecast?.({ model: name, segment: 'new', window: win.w, forecasts: f });
    }
    acc.seconds += (Date.now() - t0) / 1000;
    this.perModel.set(name, acc);
  }

  rows(): Row[] {
    const rows: Row[] = [];
    for (const name of this.opts.models) {
      const acc = this.perModel.get(name)!;
      if (acc.est.length) rows.push({ name, segment: 'established', kind: 'model', windows: acc.est, mean: meanScores(acc.est), seconds: acc.seconds });
      if (acc.neu.length) rows.push({ name, segment: 'new', kind: 'model', windows: acc.neu, mean: meanScores(acc.neu), seconds: acc.seconds });
    }
    return rows;
  }
}

/** Per window, one shared instance per model name (see SharedModel), created on first use. */
function windowContext(ensembleMembers: string[]): { ctx: ModelContext; shared: Map<string, SharedModel> } {
  const shared = new Map<string, SharedModel>();
  const ctx: ModelContext = {
    ensembleMembers,
    member: (name) => {
      if (!shared.has(name)) shared.set(name, new SharedModel(getModel(name).create(ctx)));
      return shared.get(name)!;
    },
  };
  return { ctx, shared };
}

export async function runBacktest(data: RetailData, opts: BacktestOptions): Promise<BacktestResult> {
  const windows = (opts.origins ?? ORIGINS).map((o) => buildWindow(data, o));
  const order = runOrder(opts.models);
  const total = windows.length * order.length + 1;
  let done = 0;
  const tick = (label: string) => opts.onProgress?.(++done, total, label);
  const vectors = await embedAll(windows, opts.embed);
  const inputs: WindowInputs[] = windows.map((w) => ({
    w,
    train: w.established.map((it) => establishedInput(it, vectors.get(it.text))),
    fresh: w.fresh.map((it) => newInput(it, w.origin, vectors.get(it.text))),
  }));
  const rows = baselineRows(inputs);
  tick('baselines');
  const run = new Run(opts);
  for (const win of inputs) {
    const { ctx, shared } = windowContext(opts.ensembleMembers);
    for (const name of order) {
      await run.model(name, win, ctx, shared);
      tick(`${win.w.originIso} ${name}`);
    }
  }
  rows.push(...run.rows());
  const best = (seg: Segment) =>
    rows.filter((r) => r.kind === 'baseline' && r.segment === seg).reduce((a, b) => (b.mean.wql < a.mean.wql ? b : a));
  const bestBaseline = { established: best('established').name, new: best('new').name };
  for (const r of rows) r.relative = relativeTo(r, best(r.segment));
  const result: BacktestResult = {
    windows: windows.map((w) => ({ origin: w.originIso, established: w.established.length, new: w.fresh.length, references: w.references.length })),
    bestBaseline,
    rows,
    diagnostics: run.diagnostics,
  };
  if (opts.exportModel) Object.assign(result, exportRows(opts.exportModel, opts.models, run.kept, inputs, bestBaseline.new));
  return result;
}

function keep(kept: Map<string, ExportRow[]>, name: string, seg: Segment, win: WindowInputs, f: QuantileForecast[]): void {
  const key = `${name}|${seg}`;
  const rows = kept.get(key) ?? [];
  const items = seg === 'established' ? win.w.established : win.w.fresh;
  items.forEach((it, i) => {
    for (let h = 0; h < HORIZON; h++) {
      rows.push({ origin: win.w.originIso, sku: it.sku, date: dayToIso(win.w.origin + h + 1), p10: f[i].p10[h], p50: f[i].p50[h], p90: f[i].p90[h] });
    }
  });
  kept.set(key, rows);
}

/** The export: established rows of the model; new rows from it, else cold_start, else the best new baseline. */
function exportRows(model: string, models: string[], kept: Map<string, ExportRow[]>, inputs: WindowInputs[], bestNew: string) {
  const est = kept.get(`${model}|established`);
  if (!est) throw new Error(`--forecasts: model "${model}" was not run on established products (run it with --models)`);
  const own = kept.get(`${model}|new`);
  if (own) return { forecasts: [...est, ...own], exportSources: { established: model, new: model } };
  const cold = models.includes('cold_start') ? kept.get('cold_start|new') : undefined;
  if (cold) return { forecasts: [...est, ...cold], exportSources: { established: model, new: 'cold_start' } };
  const tmp = new Map<string, ExportRow[]>();
  for (const win of inputs) {
    const b = new NewProductBaselines(win.w.references);
    keep(tmp, bestNew, 'new', win, win.w.fresh.map((it) => newBaseline(bestNew as (typeof NEW_BASELINES)[number], b, it.price, HORIZON)));
  }
  return { forecasts: [...est, ...(tmp.get(`${bestNew}|new`) ?? [])], exportSources: { established: model, new: bestNew } };
}
