import { kafkaSpec, redisSpec, redisTimeoutSpec, seriesSpec, serviceSpec } from '../../shared/config/common';
import type { ConfigOf, Spec } from '../../shared/config/spec';
import { WORKER_MODELS } from './registry';
import { STATISTICAL_MODELS } from '../../shared/forecasting/index';

export const forecasterSpec = {
  ...kafkaSpec,
  ...redisSpec,
  ...redisTimeoutSpec,
  ...seriesSpec,
  ...serviceSpec,
  TOPIC_PARTITIONS: { kind: 'int', default: 3, min: 1, max: 1000, doc: 'Partitions of the trends topic when created' },
  FORECAST_HORIZON: { kind: 'int', default: 28, min: 1, max: 365, doc: 'Buckets forecast ahead' },
  FORECAST_INTERVAL_MS: { kind: 'int', default: 300000, min: 100, doc: 'Full pass over all products this often' },
  FORECAST_POLL_MS: { kind: 'int', default: 1000, min: 10, doc: 'How often changed products are looked for' },
  FORECAST_DEBOUNCE_MS: { kind: 'int', default: 2000, min: 0, doc: 'A changed product is forecast once quiet this long' },
  FORECAST_BATCH_SIZE: { kind: 'int', default: 500, min: 1, max: 100000, doc: 'Products per model call, Redis read and Kafka send (BENCHMARKS.md: forecaster worker)' },
  FORECAST_MODEL: { kind: 'enum', values: WORKER_MODELS, default: 'ensemble', doc: 'Model the worker publishes (README: Forecasting models)' },
  ENSEMBLE_MEMBERS: { kind: 'list', default: [...STATISTICAL_MODELS, 'lstm'], doc: 'Members of the worker ensemble (the backtested set by default); lstm joins once a trained artifact exists' },
  ARTIFACTS_DIR: { kind: 'string', default: 'artifacts', doc: 'Folder of trained models (train --out); the newest lstm version is loaded and hot-swapped' },
  ARTIFACT_POLL_MS: { kind: 'int', default: 30000, min: 100, doc: 'How often the artifacts folder is checked for a new version (and a dead LSTM thread replaced)' },
  LSTM_THREAD: { kind: 'bool', default: true, doc: "Run the LSTM's forward pass on a worker thread, beside the ensemble's other members (BENCHMARKS.md: The LSTM on its own thread; wasm and cpu backends only)" },
  PUBLISH_THREAD: { kind: 'bool', default: true, doc: "Run the Kafka producer that publishes the trends on a worker thread, off the main thread that forecasts (BENCHMARKS.md: Session 20); a dead thread hands over to the main thread" },
  TREND_FLAT_BAND: { kind: 'float', default: 0.01, min: 0, max: 1, doc: 'Relative slope per bucket below which a trend is FLAT' },
} satisfies Spec;

export type ForecasterConfig = ConfigOf<typeof forecasterSpec>;
