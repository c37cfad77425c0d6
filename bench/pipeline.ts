/**
 * Pipeline benchmark (issue 2): order events/s end to end (Kafka -> order-consumer process -> Redis)
 * beside raw kafkajs consumption of the same topic in the same run, the consumer's peak memory, and
 * reviews/s through the review-consumer beside raw model calls on the same texts.
 *
 *   npx tsx bench/pipeline.ts [--orders N] [--reviews N]
 * Needs Kafka and Redis (scripts/infra.sh up) and the model (scripts/install-model.sh).
 * Uses ../shared/data/online-retail/online_retail_dev.csv.gz when present, else the bundled sample
 * (repeated with fresh event ids up to N; the dev file too, past its ~400k orders). For trying settings: CONSUMER_* variables reach the
 * consumers, BENCH_NODE_ARGS adds node flags to them (e.g. --cpu-prof), BENCH_SERVICE_LOGS=1 prints
 * their output.
 */
import * as fs from 'fs';
import * as path from 'path';
import { codecFor } from '../shared/avro/codec';
import type { OrderEvent, ReviewEvent } from '../shared/domain/events';
import { createEmbedder } from '../shared/embedding';
import { orderEvents } from './retail-data';
import { collectCount, createTopics, deleteTopicsWithPrefix, kafka, produce } from '../test/integration/support/kafka';
import { deleteKeysWithPrefix } from '../test/integration/support/redis';
import { REDIS_URL, ROOT, startService, uniq } from '../test/integration/support/services';
import { cpuOf, infraPid, threadCpu, threadCpuDiff } from './proc';
import Redis from 'ioredis';
import { checkpointKey } from '../shared/adapters/redis/keys';
import { setTimeout as sleep } from 'timers/promises';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
// 1.2M by default (the dev file's ~400k orders three times, with fresh ids): the order consumer is a
// new process, and at 400k events its fixed costs (the JIT compiling its hot path, the heap growing,
// a pipeline filling and draining) were about a third of its CPU; raw consumption runs in this
// process, warmed by the producer and its own first run (BENCHMARKS.md, pipeline "Session 14").
const N_ORDERS = arg('--orders', 1_200_000);
const N_REVIEWS = arg('--reviews', 2_000);

function reviewTexts(titles: string[], n: number): string[] {
  const tpl = ['I bought the %s for my sister and she loved it.', 'The %s arrived broken, very disappointed.', 'Good value: the %s looks exactly like the picture.', 'Not sure about the %s, the colour is different from the photo and it feels cheap.', '%s. Fast delivery, would order again!'];
  return Array.from({ length: n }, (_, i) => tpl[i % tpl.length].replace('%s', titles[(i * 7919) % titles.length].toLowerCase()));
}

/**
 * Wall seconds of a raw consumption and the CPU seconds it took in this process, from the group's
 * join on: the consumer's run is timed from its "started" line, which also comes after its join.
 */
async function rawConsume(topic: string, n: number): Promise<{ seconds: number; cpu: number; broker: number; laterRate: number }> {
  let c0!: NodeJS.CpuUsage;
  let b0!: number;
  let th0!: ReturnType<typeof threadCpu>;
  let t0!: number;
  const third = new Third(n);
  await collectCount(topic, n, () => {
    [c0, b0, th0, t0] = [process.cpuUsage(), cpuOf(infraPid('kafka')), threadCpu(infraPid('kafka')), Date.now()];
  }, (seen) => third.saw(seen));
  if (process.env.BENCH_BROKER_THREADS) process.stderr.write(`broker threads, raw run: ${threadCpuDiff(th0, threadCpu(infraPid('kafka')))}\n`);
  const c = process.cpuUsage(c0);
  return { seconds: (Date.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, broker: cpuOf(infraPid('kafka')) - b0, laterRate: third.rate() };
}

/**
 * The rate over the last two thirds of a run: from the first count at or past a third of `n` to the
 * end. It leaves out what a run pays once (a new process's JIT and heap growth, the first fetches),
 * the same way for raw consumption and for the consumer, so the two can be compared in steady state.
 */
class Third {
  private at = 0;
  private count = 0;
  constructor(private readonly n: number) {}
  saw(count: number): void {
    if (this.at === 0 && count >= this.n / 3) [this.at, this.count] = [Date.now(), count];
  }
  rate(): number {
    return (this.n - this.count) / ((Date.now() - this.at) / 1000);
  }
}

async function throughService(service: string, topic: string, n: number, env: Record<string, string>) {
  const group = uniq('bench-g-');
  const redis0 = cpuOf(infraPid('redis'));
  const svc = await startService(service, { ...env, CONSUMER_GROUP: group });
  const cpuAtStart = cpuOf(svc.proc.pid);
  const broker0 = cpuOf(infraPid('kafka'));
  const th0 = threadCpu(infraPid('kafka'));
  const t0 = Date.now();
  const admin = kafka.admin();
  await admin.connect();
  const high = (await admin.fetchTopicOffsets(topic)).reduce((s, e) => s + Number(e.high), 0);
  const committed = async () => (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0].partitions.reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
  // Until the end is near, the consumer's checkpoints in Redis are polled (written after a chunk's
  // effects, right before its offset commit): asking the broker for the group's offsets every 20 ms
  // took it 0.06-0.1 s of CPU per run, on the cores the consumer was being measured on. Then the
  // committed offsets themselves, every 2 ms, to the last commit.
  const redis = new Redis(REDIS_URL);
  const stored = async () => (await redis.hvals(checkpointKey(env.KEY_PREFIX, group))).reduce((s, v) => s + Number(v), 0);
  const third = new Third(high);
  for (let s = await stored(); s < high; s = await stored()) {
    third.saw(s);
    await sleep(20);
  }
  third.saw(high);
  while ((await committed()) < high) await sleep(2);
  const laterRate = third.rate();
  redis.disconnect();
  await admin.disconnect();
  const seconds = (Date.now() - t0) / 1000;
  const cpuSeconds = cpuOf(svc.proc.pid) - cpuAtStart;
  const redisSeconds = cpuOf(infraPid('redis')) - redis0;
  const brokerSeconds = cpuOf(infraPid('kafka')) - broker0;
  // BENCH_BROKER_THREADS=1: where the broker's CPU went, by thread group
  if (process.env.BENCH_BROKER_THREADS) process.stderr.write(`broker threads, ${service} run: ${threadCpuDiff(th0, threadCpu(infraPid('kafka')))}\n`);
  const status = fs.readFileSync(`/proc/${svc.proc.pid}/status`, 'utf8');
  const peakMiB = Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024;
  // BENCH_SERVICE_LOGS=1: the service's own output on stderr (e.g. with BENCH_NODE_ARGS=--trace-gc)
  if (process.env.BENCH_SERVICE_LOGS) process.stderr.write(`${svc.logs.join('\n')}\n`);
  await svc.stop();
  return { seconds, rate: n / seconds, laterRate, peakMiB, cpuSeconds, redisSeconds, brokerSeconds };
}

async function main() {
  const prefix = uniq('bench-');
  const keyPrefix = uniq('bench');
  const env: Record<string, string> = { TOPIC_PREFIX: `${prefix}-`, KEY_PREFIX: keyPrefix };
  // tuning variables given to the bench reach the consumer (for trying settings)
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith('CONSUMER_') && v) env[k] = v;
  const topic = `${prefix}-orders`;
  const rtopic = `${prefix}-reviews`;
  await createTopics([topic, rtopic, `${topic}.dlq`, `${rtopic}.dlq`]);
  try {
    const { file, events, titles } = await orderEvents(N_ORDERS);
    const codec = codecFor<OrderEvent>('order');
    process.stderr.write(`producing ${events.length} order events from ${path.relative(ROOT, file)}...\n`);
    await produce(topic, events.map((e) => ({ key: e.sku, value: codec.encode(e) })));
    const rawS = await rawConsume(topic, events.length);
    const svc = await throughService('order-consumer', topic, events.length, env);
    const raw2 = await rawConsume(topic, events.length);
    const rawRate = (2 * events.length) / (rawS.seconds + raw2.seconds);
    const rawLater = 2 / (1 / rawS.laterRate + 1 / raw2.laterRate);
    const rawCpuUs = ((rawS.cpu + raw2.cpu) / 2 / events.length) * 1e6;
    const rawBrokerUs = ((rawS.broker + raw2.broker) / 2 / events.length) * 1e6;

    const texts = reviewTexts(titles, N_REVIEWS);
    const rc = codecFor<ReviewEvent>('review');
    const reviews = texts.map((text, i) => ({ eventId: `rev-${i}`, eventTime: Date.UTC(2011, 5, 1) + i * 1000, sku: events[i % events.length].sku, reviewId: `r${i}`, rating: 1 + (i % 5), text, language: 'en' }));
    await produce(rtopic, reviews.map((r) => ({ key: r.sku, value: rc.encode(r) })));
    const embedder = await createEmbedder({ modelId: 'Xenova/all-MiniLM-L6-v2', modelDir: path.join(ROOT, 'models'), allowRemote: false, batchSize: 32, quantized: false });
    await embedder.embed(texts.slice(0, 64)); // warm-up: the first calls compile kernels
    // a run before and one after the consumer's, as for raw consumption: the model's rate on this
    // machine moved by 10-20% from one run to the next, which one measurement put on the ratio
    const rawRun = async () => {
      const t0 = Date.now();
      await embedder.embed(texts);
      return (Date.now() - t0) / 1000;
    };
    const rawBefore = await rawRun();
    const rsvc = await throughService('review-consumer', rtopic, texts.length, { ...env, CONSUMER_CHUNK_SIZE: '256' });
    const rawModel = (2 * texts.length) / (rawBefore + (await rawRun()));
    await (embedder as { close?: () => Promise<void> }).close?.();

    const lines = [
      `| measure | value |`, `| --- | --- |`,
      `| order events | ${events.length} (from ${path.basename(file)}) |`,
      `| raw kafkajs consumption (same topic, mean of a run before and after) | ${Math.round(rawRate).toLocaleString('en')} events/s |`,
      `| order-consumer end to end (Kafka -> Redis, committed) | ${Math.round(svc.rate).toLocaleString('en')} events/s |`,
      `| ratio to raw | ${(svc.rate / rawRate).toFixed(2)} |`,
      `| the same over the last two thirds of each run (steady state): raw / order-consumer / ratio | ${Math.round(rawLater).toLocaleString('en')} / ${Math.round(svc.laterRate).toLocaleString('en')} events/s / ${(svc.laterRate / rawLater).toFixed(2)} |`,
      `| order-consumer peak RSS | ${svc.peakMiB.toFixed(0)} MiB |`,
      `| CPU per event: raw kafkajs / order-consumer (Node) / Redis | ${rawCpuUs.toFixed(2)} / ${((svc.cpuSeconds / events.length) * 1e6).toFixed(2)} / ${((svc.redisSeconds / events.length) * 1e6).toFixed(2)} us |`,
      // what the 2 cores allow the consumer path if its processes overlapped perfectly: the bound behind the ratio
      ...(() => {
        const us = (x: number) => (x / events.length) * 1e6;
        const pathUs = us(svc.cpuSeconds) + us(svc.redisSeconds) + us(svc.brokerSeconds);
        return [
          `| broker CPU per event: raw kafkajs runs / order-consumer run | ${rawBrokerUs.toFixed(2)} / ${us(svc.brokerSeconds).toFixed(2)} us |`,
          `| consumer + Redis + broker CPU per event; most 2 cores allow at that cost, and as a ratio to raw | ${pathUs.toFixed(2)} us; ${Math.round(2e6 / pathUs).toLocaleString('en')} events/s, ${(2e6 / pathUs / rawRate).toFixed(2)} |`,
        ];
      })(),
      `| order-consumer CPU after start-up / Redis CPU meanwhile | ${svc.cpuSeconds.toFixed(1)} s / ${svc.redisSeconds.toFixed(1)} s, for ${svc.seconds.toFixed(1)} s of consumption |`,
      `| raw model calls (${texts.length} review texts, batches of 32; mean of a run before and after) | ${rawModel.toFixed(1)} texts/s |`,
      `| review-consumer end to end (Kafka -> model -> Redis) | ${rsvc.rate.toFixed(1)} reviews/s |`,
      `| ratio to raw model | ${(rsvc.rate / rawModel).toFixed(2)} |`,
      `| review-consumer peak RSS | ${rsvc.peakMiB.toFixed(0)} MiB |`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await deleteKeysWithPrefix(keyPrefix);
    await deleteTopicsWithPrefix(prefix);
  }
}

void main().then(() => process.exit(0), (err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
