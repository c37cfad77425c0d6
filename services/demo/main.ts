import * as path from 'path';
import { SingleBar } from 'cli-progress';
import { seriesSpec, embeddingSpec, validationSpec, serviceSpec, validationLimits } from '../../shared/config/common';
import { parseConfig, type Spec } from '../../shared/config/spec';
import { loadEmbedder } from '../../shared/adapters/embedder';
import { runMain } from '../../shared/adapters/main';
import { createLogger, type LogLevel } from '../../shared/log';
import { resolveModel } from '../forecaster/registry';
import { forecasterSpec } from '../forecaster/config';
import { printReport } from './report';
import { runDemo } from './demo';

const demoSpec = {
  ...seriesSpec,
  ...embeddingSpec,
  ...validationSpec,
  LOG_LEVEL: { ...serviceSpec.LOG_LEVEL, default: 'warn' },
  DEMO_DATA: { kind: 'string', default: path.resolve(__dirname, '../../test/fixtures/online-retail/sample.csv'), doc: 'Online Retail CSV to replay' },
  DEMO_TOP: { kind: 'int', default: 10, min: 1, max: 1000, doc: 'Products listed per direction' },
  FORECAST_HORIZON: { kind: 'int', default: 28, min: 1, max: 365, doc: 'Buckets forecast ahead' },
  FORECAST_MODEL: { ...forecasterSpec.FORECAST_MODEL, doc: 'Model the demo forecasts with' },
  ARTIFACTS_DIR: forecasterSpec.ARTIFACTS_DIR,
  TREND_FLAT_BAND: { kind: 'float', default: 0.01, min: 0, max: 1, doc: 'Relative slope per bucket below which a trend is FLAT' },
} satisfies Spec;

/** `trendcast demo`: the whole pipeline in one process on the bundled sample; prints the strongest trends. */
export async function main(argv: string[], env = process.env): Promise<void> {
  const fileArg = argv.indexOf('--data');
  const c = parseConfig(demoSpec, { ...env, ...(fileArg >= 0 ? { DEMO_DATA: argv[fileArg + 1] } : {}) });
  const log = createLogger('demo', c.LOG_LEVEL as LogLevel);
  const embedder = await loadEmbedder(c, log);
  const model = await resolveModel(c.FORECAST_MODEL, log, { artifactsDir: c.ARTIFACTS_DIR });
  const started = Date.now();
  const bar = new SingleBar({ format: 'replaying [{bar}] {value}/{total} rows', stream: process.stderr });
  let barStarted = false;
  const result = await runDemo({
    file: c.DEMO_DATA, embedder, model,
    settings: { alpha: c.SMOOTHING_ALPHA, beta: c.SMOOTHING_BETA, bucketMs: c.BUCKET_MS, maxBuckets: c.SERIES_MAX_BUCKETS, reviewDecay: c.REVIEW_EMBEDDING_DECAY },
    limits: validationLimits(c),
    horizon: c.FORECAST_HORIZON, flatBand: c.TREND_FLAT_BAND, log,
    onProgress: (done, total) => {
      if (!barStarted) bar.start(total, 0);
      barStarted = true;
      bar.update(done);
    },
  });
  bar.stop();
  printReport(result, { file: c.DEMO_DATA, top: c.DEMO_TOP, seconds: (Date.now() - started) / 1000, embedder: embedder.modelId });
  await model.stop();
}

if (require.main === module) runMain(async () => (await main(process.argv.slice(2)), { stop: async () => {} }));
