/**
 * The forecaster as its own process with a trained LSTM artifact, on the real Kafka and Redis: the
 * LSTM joins the ensemble, forecasts on its worker thread (the service runs under tsx, the thread
 * through shared/thread-boot.js), every product gets a valid trend from that model version, and
 * /metrics says the thread is up.
 */
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { codecFor } from '../../shared/avro/codec';
import type { OrderEvent, Trend } from '../../shared/domain/events';
import { RedisStateStore } from '../../shared/adapters/redis/state-store';
import { initBackend } from '../../shared/ml/backend';
import { GlobalLstmModel } from '../../shared/ml/lstm';
import { saveArtifact } from '../../shared/ml/artifact';
import { collect, createTopics, deleteTopicsWithPrefix, type Collected } from './support/kafka';
import { deleteKeysWithPrefix } from './support/redis';
import { getJson, REDIS_URL, startService, uniq, waitFor, type RunningService } from './support/services';
import { inputAt, synthProducts } from '../unit/ml/synthetic';

const D = 86_400_000;
const START = 15000; // epoch day of the synthetic history's first day
const DAYS = 90;
const prefix = uniq('it-lstm-');
const keyPrefix = uniq('itl');
const trendsTopic = `${prefix}-trends`;
let artifacts: string;
let version: string;
let svc: RunningService | undefined;
let store: RedisStateStore;
let trendsIn: { messages: Collected[]; stop(): Promise<void> };
const products = synthProducts(24, DAYS, START, 11, 16);

/** The products' daily demand as order events (one per product and day with demand). */
function orders(): OrderEvent[] {
  let n = 0;
  return products.flatMap((p) => Array.from(p.demand).flatMap((q, t) => (q > 0 ? [{
    eventId: `lstm-it-${n++}`, eventTime: (p.firstDay + t) * D + 3_600_000, sku: p.sku, orderId: `o${n}`, kind: 'ORDER' as const,
    quantity: q, unitPrice: p.price, currency: 'GBP', customerId: null, country: null,
  }] : [])));
}

beforeAll(async () => {
  artifacts = await fs.mkdtemp(path.join(os.tmpdir(), 'tc-it-lstm-'));
  await initBackend('wasm');
  const origin = START + DAYS - 1;
  // named lstm: the worker loads artifacts/lstm (without text the model would be lstm_notext)
  const m = new GlobalLstmModel({ name: 'lstm', lookback: 14, hidden: 8, dense: 16, epochs: 1, samplesPerEpoch: 512, batchSize: 128, useText: false, validate: false, seed: 5 });
  await m.fit(products.filter((p) => p.firstDay <= origin).map((p) => inputAt(p, origin, false)), { horizon: 28 });
  version = (await saveArtifact(m, artifacts)).version;
  m.dispose();
  store = new RedisStateStore(REDIS_URL, keyPrefix, { alpha: 0.3, beta: 0.1, bucketMs: D, maxBuckets: 400, reviewDecay: 0.1 });
  await store.connect();
  await store.applyOrders(orders());
  await createTopics([trendsTopic]);
  trendsIn = await collect(trendsTopic);
}, 120_000);

afterAll(async () => {
  await svc?.stop();
  await trendsIn?.stop();
  await store?.close();
  await deleteKeysWithPrefix(keyPrefix);
  await deleteTopicsWithPrefix(prefix);
  await fs.rm(artifacts, { recursive: true, force: true });
});

describe('forecaster with an LSTM artifact', () => {
  test('the LSTM forecasts on its thread inside the ensemble; every product gets a valid trend of that version', async () => {
    svc = await startService('forecaster', {
      TOPIC_PREFIX: `${prefix}-`, KEY_PREFIX: keyPrefix, ARTIFACTS_DIR: artifacts, TFJS_BACKEND: 'wasm',
      FORECAST_INTERVAL_MS: '600000', FORECAST_DEBOUNCE_MS: '200', FORECAST_POLL_MS: '200',
    });
    expect(svc.logs.some((l) => l.includes('"msg":"lstm thread ready"') && l.includes(version))).toBe(true);
    const codec = codecFor<Trend>('trend');
    const latest = await waitFor('a trend per product', async () => {
      const byKey = new Map<string, Trend>();
      for (const m of trendsIn.messages) byKey.set(m.key, codec.decode(m.value).value);
      return products.every((p) => byKey.has(p.sku)) ? byKey : undefined;
    }, 90_000);
    for (const t of latest.values()) {
      expect(t.model).toBe('ensemble');
      expect(t.modelVersion).toContain(`ensemble+lstm@${version}`);
      expect(t.horizon).toHaveLength(28);
      for (const h of t.horizon) expect(0 <= h.p10 && h.p10 <= h.p50 && h.p50 <= h.p90 && Number.isFinite(h.p90)).toBe(true);
    }
    const metrics = (await getJson(svc.port, '/metrics')).body;
    expect(metrics).toContain(`trendcast_lstm_thread_up{version="${version}",service="forecaster"} 1`);
    // the thread did the LSTM's work: no fallback to the main thread was logged
    expect(svc.logs.some((l) => l.includes('runs on the main thread') || l.includes('forecasting in process'))).toBe(false);
  }, 150_000);
});
