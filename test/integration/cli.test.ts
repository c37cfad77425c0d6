/**
 * bin/trendcast as a user runs it, from a directory outside the repository, against the real Kafka
 * and Redis: help, infra status, a replay, a service started and stopped by SIGTERM (the ad-bidding
 * example, fed v1 and v2 trends), and the exit codes of a bad config and a failure.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import type { Schema } from 'avsc';
import { AvroCodec } from '../../shared/avro/codec';
import { encodeTrend } from '../../shared/clients/trends';
import { bidMultiplier } from '../../shared/domain/bidding';
import type { Trend } from '../../shared/domain/events';
import { createTopics, deleteTopicsWithPrefix, kafka, produce } from './support/kafka';
import { BROKERS, REDIS_URL, ROOT, uniq, waitFor } from './support/services';

const BIN = path.join(ROOT, 'bin/trendcast');
const prefix = uniq('it-cli-');
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'trendcast-cli-'));

function trendcast(args: string[], env: Record<string, string> = {}) {
  const proc = spawn(BIN, args, { cwd, env: { ...process.env, KAFKA_BROKERS: BROKERS, REDIS_URL, KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  readline.createInterface({ input: proc.stdout! }).on('line', (l) => out.push(l));
  readline.createInterface({ input: proc.stderr! }).on('line', (l) => err.push(l));
  const exited = new Promise<number | null>((r) => proc.once('close', (code) => r(code)));
  return { proc, out, err, exited };
}
async function run(args: string[], env: Record<string, string> = {}) {
  const t = trendcast(args, env);
  const code = await t.exited;
  return { code, stdout: t.out.join('\n'), stderr: t.err.join('\n') };
}

afterAll(async () => {
  await deleteTopicsWithPrefix(prefix);
  fs.rmSync(cwd, { recursive: true, force: true });
});

test('help and infra status work from any directory', async () => {
  const help = await run(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/usage: trendcast <command>/);
  const status = await run(['infra', 'status']);
  expect(status.code).toBe(0);
  expect(status.stdout).toMatch(/^kafka: up/m);
  expect(status.stdout).toMatch(/^redis: up/m);
});

test('replay publishes the sample rows to the prefixed topics', async () => {
  const r = await run(['replay', '--limit', '400', '--topic-prefix', `${prefix}-r-`]);
  expect({ code: r.code, err: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, err: '' });
  const [, rows, orders] = /replayed (\d+) rows: (\d+) order/.exec(r.stdout)!.map(Number);
  expect(rows).toBe(400);
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(`${prefix}-r-orders`);
  await admin.disconnect();
  expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(orders);
});

test('start runs a service until SIGTERM (exit 0): the ad-bidding example bids on v1 and v2 trends', async () => {
  const topic = `${prefix}-b-trends`;
  await createTopics([topic]);
  const svc = trendcast(['start', 'ad-bidding-example'], { TOPIC_PREFIX: `${prefix}-b-`, CONSUMER_GROUP: `${prefix}-bid`, METRICS_PORT: '0', BIDDING_STOCK_FROM_REDIS: 'false' });
  await waitFor('started', async () => svc.err.some((l) => l.includes('"msg":"started"')), 60_000);
  const rising: Trend = {
    sku: 'UP1', generatedAt: Date.now(), basedOnEventTime: Date.UTC(2011, 11, 9), bucketMs: 86_400_000,
    horizon: Array.from({ length: 7 }, (_, i) => ({ step: i + 1, bucketStart: Date.UTC(2011, 11, 9) + i * 86_400_000, p10: 1, p50: 2, p90: 4 })),
    direction: 'RISING', slope: 0.04, level: 2, model: 'ets', modelVersion: 'v', category: 'toys', leadP90: [],
  };
  const v1 = new AvroCodec<Omit<Trend, 'category'>>(JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas/history/trend.v1.avsc'), 'utf8')) as Schema);
  const { category: _c, ...old } = { ...rising, sku: 'DOWN1', direction: 'FALLING' as const, slope: -0.06 };
  await produce(topic, [{ key: 'UP1', value: encodeTrend(rising) }, { key: 'DOWN1', value: v1.encode(old) }]);
  await waitFor('two bids', async () => svc.out.length >= 2, 60_000);
  const bids = new Map(svc.out.map((l) => JSON.parse(l) as { sku: string; multiplier: number; schema: string; category: string | null }).map((b) => [b.sku, b]));
  expect(bids.get('UP1')).toMatchObject({ multiplier: bidMultiplier(rising, null).multiplier, schema: 'exact', category: 'toys' });
  expect(bids.get('UP1')!.multiplier).toBeCloseTo(Math.exp(0.28), 12);
  expect(bids.get('DOWN1')).toMatchObject({ multiplier: bidMultiplier({ ...old }, null).multiplier, schema: 'resolved', category: null });
  expect(bids.get('DOWN1')!.multiplier).toBeCloseTo(Math.exp(-0.42), 12);
  svc.proc.kill('SIGTERM');
  expect(await svc.exited).toBe(0);
});

test('a bad config value exits 2 naming it; a failing command exits 1 with its reason', async () => {
  const bad = await run(['start', 'restock-trigger'], { RESTOCK_RESOLVE_MARGIN: '2' });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/invalid configuration RESTOCK_RESOLVE_MARGIN: 2 is above the maximum 0.9/);
  const failed = await run(['demo', '--data', 'missing.csv']);
  expect(failed.code).toBe(1);
  expect(failed.stderr).toMatch(/trendcast demo failed: .*missing\.csv/);
});
