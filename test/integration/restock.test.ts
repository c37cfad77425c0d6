/**
 * The restock trigger as its own process on the real Kafka and Redis: a product whose p90 demand
 * over its lead time exceeds its stock gets exactly one alert, also when every input is delivered
 * twice; one with enough stock gets none; restocking resolves the open alert; bad input goes to the DLQ.
 */
import { codecFor } from '../../shared/avro/codec';
import type { RestockAlert, Trend } from '../../shared/domain/events';
import { collect, createTopics, deleteTopicsWithPrefix, groupLag, kafka, produce, type Collected } from './support/kafka';
import { deleteKeysWithPrefix } from './support/redis';
import { enc, stock, trend } from './support/restock';
import Redis from 'ioredis';
import { productKeys } from '../../shared/adapters/redis/keys';
import { getJson, REDIS_URL, startService, uniq, waitFor, type RunningService } from './support/services';

const prefix = uniq('it-restock-');
const keyPrefix = uniq('itr');
const group = `${prefix}-restock-trigger`;
const topics = { trends: `${prefix}-trends`, inventory: `${prefix}-inventory`, alerts: `${prefix}-restock-alerts` };
const alertCodec = codecFor<RestockAlert>('restock-alert');

let svc: RunningService;
let alertsIn: { messages: Collected[]; stop(): Promise<void> };

async function alertsInTopic(): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topics.alerts)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}
const caughtUp = async () => (await groupLag(group, topics.trends)) === 0 && (await groupLag(group, topics.inventory)) === 0;
const decoded = () => alertsIn.messages.map((m) => ({ key: m.key, alert: alertCodec.decode(m.value).value }));

beforeAll(async () => {
  await createTopics(Object.values(topics));
  alertsIn = await collect(topics.alerts);
  svc = await startService('restock-trigger', { TOPIC_PREFIX: `${prefix}-`, KEY_PREFIX: keyPrefix, CONSUMER_GROUP: group, CONSUMER_CHUNK_SIZE: '50' });
});

afterAll(async () => {
  await svc?.stop();
  await alertsIn?.stop();
  await deleteKeysWithPrefix(keyPrefix);
  await deleteTopicsWithPrefix(prefix);
});

describe('restock trigger on Kafka and Redis', () => {
  // SHORT: 4/day over 5 days = 20 > 12; PLENTY: 20 <= 100; LATER: 3/day over 3 days = 9 > 2, restocked below
  const trends = [trend('SHORT', 4), trend('PLENTY', 4), trend('LATER', 3)];
  const inventory = [stock('SHORT', 10, 2, 5), stock('PLENTY', 80, 20, 5), stock('LATER', 2, 0, 3)];

  test('one alert for the short product, none for the stocked one, also when everything comes twice', async () => {
    await waitFor('ready', async () => (await getJson(svc.port, '/readyz')).status === 200, 60_000);
    await produce(topics.inventory, enc.stock(inventory));
    await produce(topics.trends, enc.trends(trends));
    await waitFor('two alerts', async () => alertsIn.messages.length >= 2, 60_000);
    await waitFor('first delivery consumed', caughtUp, 60_000);
    // the same messages again, in the other order, and one batch holding each trend twice
    await produce(topics.trends, enc.trends([...trends, ...trends]));
    await produce(topics.inventory, enc.stock(inventory));
    await waitFor('redelivery consumed', caughtUp, 60_000);
    expect(await alertsInTopic()).toBe(2);
    await new Promise((r) => setTimeout(r, 500));
    const got = decoded();
    expect(got.map((g) => g.key).sort()).toEqual(['LATER', 'SHORT']);
    const short = got.find((g) => g.key === 'SHORT')!.alert;
    expect(short).toMatchObject({ sku: 'SHORT', state: 'OPEN', leadTimeDays: 5, available: 12, modelVersion: 'it-1' });
    expect(short.demandP90).toBeCloseTo(20, 9);
    expect(short.demandP50).toBeCloseTo(10, 9);
    expect(short.shortfall).toBeCloseTo(8, 9);
    expect(short.alertId).toMatch(/^[0-9a-f]{32}$/);
  });

  test('a newer forecast that is still short opens nothing; restocking resolves under the same alertId', async () => {
    const opened = decoded().find((g) => g.key === 'LATER')!.alert;
    await produce(topics.trends, enc.trends([trend('SHORT', 5), trend('LATER', 3)]));
    await waitFor('newer trends consumed', caughtUp, 60_000);
    expect(await alertsInTopic()).toBe(2);
    await produce(topics.inventory, enc.stock([stock('LATER', 2, 30, 3, 2)]));
    await waitFor('resolution', async () => alertsIn.messages.length >= 3, 60_000);
    const resolved = decoded()[2].alert;
    expect(resolved).toMatchObject({ sku: 'LATER', state: 'RESOLVED', alertId: opened.alertId, available: 32, shortfall: 0 });
    await waitFor('restock consumed', caughtUp, 60_000);
    expect(await alertsInTopic()).toBe(3);
    // redelivering the old stock count (short again) and old trends must not reopen anything
    await produce(topics.inventory, enc.stock(inventory));
    await produce(topics.trends, enc.trends(trends));
    await waitFor('old inputs consumed', caughtUp, 60_000);
    expect(await alertsInTopic()).toBe(3);
    const metrics = (await getJson(svc.port, '/metrics')).body;
    expect(metrics).toMatch(/trendcast_restock_alerts_total\{state="OPEN",service="restock-trigger"\} 2/);
    expect(metrics).toMatch(/trendcast_restock_alerts_total\{state="RESOLVED",service="restock-trigger"\} 1/);
  });

  test('a v3 trend: its leadP90 opens an alert the daily p90s (all 0) would not; without leadP90 nothing', async () => {
    const sparse = (sku: string, leadP90: number[]): Trend => ({ ...trend(sku, 0), leadP90 });
    await produce(topics.inventory, enc.stock([stock('BURSTY', 3, 0, 7), stock('BURSTY2', 3, 0, 7)]));
    await produce(topics.trends, enc.trends([sparse('BURSTY', [1, 2, 2, 3, 4, 5, 6, 6, 6, 7, 7, 7, 8, 8]), sparse('BURSTY2', [])]));
    await waitFor('the bursty alert', async () => alertsIn.messages.length >= 4, 60_000);
    await waitFor('trends consumed', caughtUp, 60_000);
    expect(await alertsInTopic()).toBe(4);
    const got = decoded()[3];
    expect(got.key).toBe('BURSTY');
    // 7 days of stock counted just after step 1 began: leadP90 at 7 steps, above the 3 in stock
    expect(got.alert).toMatchObject({ sku: 'BURSTY', state: 'OPEN', available: 3, leadTimeDays: 7 });
    expect(got.alert.demandP90).toBeCloseTo(6, 9);
    expect(got.alert.shortfall).toBeCloseTo(3, 9);
  });

  test('malformed inventory and trends go to their dead-letter topics with the reason', async () => {
    const dlqInv = await collect(`${topics.inventory}.dlq`);
    const dlqTrends = await collect(`${topics.trends}.dlq`);
    await produce(topics.inventory, [
      { key: 'BAD', value: Buffer.from('{"sku":"BAD","onHand":3}') },
      ...enc.stock([{ ...stock('BAD', -1, 0, 3), eventId: 'neg' }, { ...stock('BAD', 1, 0, 0), eventId: 'lead0' }]),
    ]);
    // an inventory message on the trends topic: read leniently as an unknown newer trend writer, it does not parse
    await produce(topics.trends, [
      ...enc.trends([{ ...trend('BAD', 1), horizon: [] }, { ...trend('BAD', 1), leadP90: [3, 1] }]),
      ...enc.stock([stock('BAD', 1, 1, 1)]),
    ]);
    await waitFor('DLQ messages', async () => dlqInv.messages.length >= 3 && dlqTrends.messages.length >= 3, 60_000);
    await Promise.all([dlqInv.stop(), dlqTrends.stop()]);
    const reasons = [...dlqInv.messages, ...dlqTrends.messages].map((m) => m.headers['dlq-reason']);
    for (const re of [/single-object marker/, /onHand -1/, /leadTimeDays 0/, /horizon is empty/, /leadP90\[1\] = 1: not finite, non-negative and non-decreasing/, /cannot decode trendcast.trends.Trend/]) expect(reasons.some((r) => re.test(r))).toBe(true);
    await waitFor('poison consumed', caughtUp, 60_000);
    expect(await alertsInTopic()).toBe(4);
  });

  test('a product whose restock key has the wrong type: its messages go to the DLQ with the reason, the others are decided', async () => {
    const r = new Redis(REDIS_URL);
    await r.set(productKeys(keyPrefix, 'WRONG').alert, 'not a hash');
    r.disconnect();
    const dlqTrends = await collect(`${topics.trends}.dlq`);
    const before = await alertsInTopic();
    await produce(topics.inventory, enc.stock([stock('AFTER', 1, 0, 4)]));
    await produce(topics.trends, enc.trends([trend('WRONG', 5), trend('AFTER', 5)]));
    // before: the load's WRONGTYPE was taken for an outage, so the chunk was retried and fetched again for ever
    await waitFor('the bad product dead-lettered', async () => dlqTrends.messages.some((m) => m.key === 'WRONG'), 60_000);
    await waitFor('the rest consumed', caughtUp, 60_000);
    await dlqTrends.stop();
    const bad = dlqTrends.messages.filter((m) => m.key === 'WRONG');
    expect(bad).toHaveLength(1);
    expect(bad[0].headers['dlq-reason']).toMatch(/WRONGTYPE/);
    expect(dlqTrends.messages.some((m) => m.key === 'AFTER')).toBe(false);
    await waitFor('the alert of the good product', async () => decoded().some((a) => a.key === 'AFTER'), 30_000);
    expect(await alertsInTopic()).toBe(before + 1);
  });
});
