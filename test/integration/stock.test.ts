/**
 * `trendcast stock`, as a user runs it, feeding the restock trigger (its own process) on the real
 * Kafka and Redis: a CSV of stock counts opens an alert for the product that its forecast says will
 * run short; loading the same file again changes nothing; a file with a bad row publishes nothing.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { codecFor } from '../../shared/avro/codec';
import type { InventoryEvent, RestockAlert, Trend } from '../../shared/domain/events';
import { collect, createTopics, deleteTopicsWithPrefix, groupLag, kafka, produce, type Collected } from './support/kafka';
import { deleteKeysWithPrefix } from './support/redis';
import { getJson, runToEnd, startService, uniq, waitFor, type RunningService } from './support/services';

const D = 86_400_000;
const prefix = uniq('it-stock-');
const keyPrefix = uniq('its');
const group = `${prefix}-restock-trigger`;
const topics = { trends: `${prefix}-trends`, inventory: `${prefix}-inventory`, alerts: `${prefix}-restock-alerts` };
const origin = Date.UTC(2026, 10, 20);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trendcast-stock-'));

let svc: RunningService;
let alertsIn: { messages: Collected[]; stop(): Promise<void> };
let inventoryIn: { messages: Collected[]; stop(): Promise<void> };

/** A 14-day forecast of 4 units a day at p90. */
const trend = (sku: string): Trend => ({
  sku, generatedAt: Date.now(), basedOnEventTime: origin - 3600_000, bucketMs: D,
  horizon: Array.from({ length: 14 }, (_, i) => ({ step: i + 1, bucketStart: origin + i * D, p10: 1, p50: 2, p90: 4 })),
  direction: 'RISING', slope: 0.05, level: 2, model: 'ets', modelVersion: 'it-stock', category: 'test', leadP90: [],
});

function file(name: string, lines: string[]): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, lines.join('\n') + '\n');
  return f;
}
const stockCli = (f: string) => runToEnd('services/cli/main.ts', ['stock', '--file', f], { TOPIC_PREFIX: `${prefix}-` });
const inTopic = async (topic: string) => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
};
const caughtUp = async () => (await groupLag(group, topics.inventory)) === 0 && (await groupLag(group, topics.trends)) === 0;

beforeAll(async () => {
  await createTopics(Object.values(topics));
  alertsIn = await collect(topics.alerts);
  inventoryIn = await collect(topics.inventory);
  svc = await startService('restock-trigger', { TOPIC_PREFIX: `${prefix}-`, KEY_PREFIX: keyPrefix, CONSUMER_GROUP: group });
});

afterAll(async () => {
  await svc?.stop();
  await alertsIn?.stop();
  await inventoryIn?.stop();
  await deleteKeysWithPrefix(keyPrefix);
  await deleteTopicsWithPrefix(prefix);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a stock file opens one alert for the product that will run short, and loading it again changes nothing', async () => {
  await waitFor('ready', async () => (await getJson(svc.port, '/readyz')).status === 200, 60_000);
  const trendCodec = codecFor<Trend>('trend');
  await produce(topics.trends, ['SHORT', 'PLENTY'].map((s) => ({ key: s, value: trendCodec.encode(trend(s)) })));
  // 4/day over 5 days = 20 > 10 + 2 on hand and on order; 20 <= 80 + 20
  const counted = new Date(origin).toISOString();
  const f = file('stock.csv', ['sku,onHand,onOrder,leadTimeDays,countedAt', `SHORT,10,2,5,${counted}`, `PLENTY,80,20,5,${counted}`]);
  const run1 = await stockCli(f);
  expect({ code: run1.code, stdout: run1.stdout.trim() }).toEqual({ code: 0, stdout: `published 2 stock count(s) of 2 product(s) on ${topics.inventory}` });

  await waitFor('the alert', async () => alertsIn.messages.length >= 1, 60_000);
  await waitFor('both inputs consumed', caughtUp, 60_000);
  const alerts = alertsIn.messages.map((m) => codecFor<RestockAlert>('restock-alert').decode(m.value).value);
  expect(alerts).toHaveLength(1);
  expect(alerts[0]).toMatchObject({ sku: 'SHORT', state: 'OPEN', available: 12, leadTimeDays: 5 });
  expect(alerts[0].demandP90).toBeCloseTo(20, 9);

  // what went on the topic: exactly the file's counts, keyed by product
  const inv = codecFor<InventoryEvent>('inventory');
  const sent = inventoryIn.messages.map((m) => ({ key: m.key, ...inv.decode(m.value).value }));
  expect(sent.map(({ eventId, ...rest }) => rest).sort((a, b) => a.sku.localeCompare(b.sku))).toEqual([
    { key: 'PLENTY', sku: 'PLENTY', eventTime: origin, onHand: 80, onOrder: 20, leadTimeDays: 5 },
    { key: 'SHORT', sku: 'SHORT', eventTime: origin, onHand: 10, onOrder: 2, leadTimeDays: 5 },
  ]);

  const run2 = await stockCli(f);
  expect(run2.code).toBe(0);
  await waitFor('the second load on the topic', async () => inventoryIn.messages.length >= 4, 30_000);
  await waitFor('the second load consumed', caughtUp, 60_000);
  // the same dated counts are the same events (same ids), so the trigger takes them as not newer
  const ids = inventoryIn.messages.map((m) => inv.decode(m.value).value.eventId);
  expect(new Set(ids).size).toBe(2);
  expect(await inTopic(topics.alerts)).toBe(1);
});

test('a file with a bad row is refused whole: every bad line is named and nothing is published', async () => {
  const before = await inTopic(topics.inventory);
  const f = file('bad.csv', ['sku,onHand,onOrder,leadTimeDays', 'SHORT,30,0,5', 'PLENTY,-4,0,5', 'OTHER,3,0,400']);
  const run = await stockCli(f);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain('nothing published, 2 bad count(s)');
  expect(run.stderr).toContain('line 3: onHand -4 must be a non-negative integer');
  expect(run.stderr).toContain('line 4: leadTimeDays 400 is not in [1, 365]');
  expect(await inTopic(topics.inventory)).toBe(before);
});
