/**
 * The restock trigger through a Redis outage, as its own process on the real Kafka and a Redis of
 * the test's own: the inputs that arrive while Redis is away are neither lost nor dead-lettered,
 * and once it is back each decision is made once, one alert per decision.
 */
import { codecFor } from '../../shared/avro/codec';
import type { RestockAlert } from '../../shared/domain/events';
import { collect, createTopics, deleteTopicsWithPrefix, groupLag, produce, topicSize } from './support/kafka';
import { startOwnRedis, type OwnRedis } from './support/own-redis';
import { enc, stock, trend } from './support/restock';
import { getJson, startService, uniq, waitFor, type RunningService } from './support/services';

const prefix = uniq('it-rsdown-');
const group = `${prefix}-restock-trigger`;
const topics = { trends: `${prefix}-trends`, inventory: `${prefix}-inventory`, alerts: `${prefix}-restock-alerts` };
const alertCodec = codecFor<RestockAlert>('restock-alert');
let redis: OwnRedis;
let svc: RunningService | undefined;

beforeAll(async () => {
  redis = await startOwnRedis();
  await createTopics(Object.values(topics));
});

afterAll(async () => {
  await svc?.stop();
  await redis?.close();
  await deleteTopicsWithPrefix(prefix);
});

test('inputs that arrive while Redis is away: decided once it is back, one alert each, nothing dead-lettered', async () => {
  const alerts = await collect(topics.alerts);
  svc = await startService('restock-trigger', { TOPIC_PREFIX: `${prefix}-`, REDIS_URL: redis.url, KEY_PREFIX: 'rs', CONSUMER_GROUP: group, CONSUMER_CHUNK_SIZE: '50', RETRY_COUNT: '2', RETRY_INITIAL_MS: '100', RETRY_MAX_MS: '400' });
  const s = svc;
  const caughtUp = async () => (await groupLag(group, topics.trends)) === 0 && (await groupLag(group, topics.inventory)) === 0;
  const decoded = () => alerts.messages.map((m) => alertCodec.decode(m.value).value);
  try {
    // SHORT: 4/day over 5 days = 20 > 12 in stock: one alert
    await produce(topics.inventory, enc.stock([stock('SHORT', 10, 2, 5), stock('LATER', 50, 0, 3)]));
    await produce(topics.trends, enc.trends([trend('SHORT', 4), trend('LATER', 3)]));
    await waitFor('the first alert', async () => decoded().length === 1 && (await caughtUp()), 60_000);
    expect(decoded()[0]).toMatchObject({ sku: 'SHORT', state: 'OPEN' });

    await redis.stop();
    // while Redis is away: SHORT restocked (resolves its alert), LATER sold down (opens one)
    await produce(topics.inventory, enc.stock([stock('SHORT', 10, 40, 5, 2), stock('LATER', 2, 0, 3, 2)]));
    await waitFor('readiness reports Redis gone', async () => (await getJson(s.port, '/readyz')).status === 503, 30_000);
    await waitFor('a chunk given up and fetched again', async () => s.logs.some((l) => l.includes('chunk failed; fetching it again')), 60_000);
    expect(decoded()).toHaveLength(1);
    expect(await groupLag(group, topics.inventory)).toBe(2); // not committed

    await redis.start();
    await waitFor('both decisions made', async () => decoded().length >= 3 && (await caughtUp()), 90_000);
    await new Promise((r) => setTimeout(r, 1000)); // an alert sent twice would show by now
    const after = decoded().slice(1).map((a) => `${a.sku} ${a.state}`).sort();
    expect(after).toEqual(['LATER OPEN', 'SHORT RESOLVED']);
    expect(decoded()).toHaveLength(3);
    expect(await topicSize(`${topics.inventory}.dlq`)).toBe(0);
    expect(await topicSize(`${topics.trends}.dlq`)).toBe(0);
    expect(s.proc.exitCode).toBeNull();
  } finally {
    await alerts.stop();
  }
}, 240_000);
