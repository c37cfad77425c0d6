/**
 * Throughput of the statistical models and their ensemble, batched as the forecaster worker calls
 * them: `npx tsx services/backtest/bench.ts [--data FILE] [--origin YYYY-MM-DD] [--batch N] [--copies K]`.
 * Fits once at the origin (quantile calibration and ensemble weights), then times forecast() only,
 * on fresh history arrays each round (no cached shapes). Prints wall and CPU products/s.
 */
import { existsSync } from 'node:fs';
import { loadRetail } from '../../shared/backtest/online-retail';
import { buildWindow, establishedInput } from '../../shared/backtest/windows';
import { Ensemble } from '../../shared/forecasting/ensemble';
import { STATISTICAL_MODELS, statisticalModel } from '../../shared/forecasting/index';
import type { ForecastModel, SeriesInput } from '../../shared/forecasting/model';
import { DEV_DATA, FIXTURE } from './args';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function time(model: ForecastModel, batches: SeriesInput[][]): Promise<{ wall: number; cpu: number }> {
  const fresh = batches.map((b) => b.map((s) => ({ ...s, history: Float64Array.from(s.history) })));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (const b of fresh) await model.forecast(b, 28);
  const c = process.cpuUsage(c0);
  const n = fresh.reduce((a, b) => a + b.length, 0);
  return { wall: n / ((performance.now() - t0) / 1000), cpu: n / ((c.user + c.system) / 1e6) };
}

async function main(): Promise<void> {
  const data = await loadRetail(flag('--data', existsSync(DEV_DATA) ? DEV_DATA : FIXTURE));
  const w = buildWindow(data, flag('--origin', '2011-11-06'));
  const base = w.established.map((it) => establishedInput(it));
  const copies = Number(flag('--copies', '4'));
  const all = Array.from({ length: copies }, (_, k) => base.map((s) => ({ ...s, sku: `${s.sku}#${k}` }))).flat();
  const size = Number(flag('--batch', '1000'));
  const batches = Array.from({ length: Math.ceil(all.length / size) }, (_, i) => all.slice(i * size, (i + 1) * size));
  const members = STATISTICAL_MODELS.map((n) => statisticalModel(n));
  const ensemble = new Ensemble(members);
  const t0 = Date.now();
  await ensemble.fit(base, { horizon: 28 });
  process.stdout.write(`fit at ${w.originIso} on ${base.length} products (calibration of ${members.length} models + ensemble weights): ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  process.stdout.write(`forecast of ${all.length} products in batches of ${size}, 28 days, p10/p50/p90:\n`);
  for (const m of [...members, ensemble]) {
    await time(m, batches.slice(0, 1)); // warm-up
    const r = await time(m, batches);
    process.stdout.write(`  ${m.name.padEnd(16)} ${r.wall.toFixed(0).padStart(8)} products/s wall ${r.cpu.toFixed(0).padStart(8)} products/s cpu\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack}\n`);
  process.exit(1);
});
