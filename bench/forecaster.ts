/**
 * Forecaster benchmark (issue 3): products forecast per second by the worker, batched, with its
 * default model (the ensemble of the eight statistical models, the backtested set, with cold start;
 * the LSTM joins when an artifact exists under artifacts/), on the real path: state in Redis (loaded
 * from the Online Retail file through the order and listing stores), read, forecast, Trend messages
 * Avro-encoded and published to Kafka, through ForecastJob.runAll (the pipelined pass). Also the
 * model alone (no I/O), the same pass step after step (where the time goes), and the refit time.
 * Wall time and the Node process's CPU time are both reported: state the load average beside them.
 *
 *   npx tsx bench/forecaster.ts [--batch N (default: FORECAST_BATCH_SIZE's)] [--passes 3] [--no-thread] [--no-publish-thread] [--node-defaults] [--cpu-prof FILE] [--alloc-prof FILE] [--alternate N]
 * --no-thread: the LSTM on the main thread (LSTM_THREAD=false), the reference for its worker thread.
 * --no-publish-thread: the Kafka producer on the main thread (PUBLISH_THREAD=false).
 * The bench runs the job in its own process, as the forecaster does, so it restarts itself with the
 * forecaster's node flags (services/forecaster/node-flags.ts); --node-defaults: without them.
 * Needs Kafka, Redis and the model. Uses ../shared/data/online-retail/online_retail_dev.csv.gz when
 * present, else the bundled sample.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Session } from 'inspector';
import { codecFor } from '../shared/avro/codec';
import type { ListingEvent, OrderEvent, Trend } from '../shared/domain/events';
import { listingText } from '../shared/domain/text';
import { retailEvents, retailFile } from './retail-data';
import { RedisStateStore } from '../shared/adapters/redis/state-store';
import { createKafka } from '../shared/adapters/kafka/client';
import { KafkaPublisher } from '../shared/adapters/kafka/publisher';
import { ThreadedPublisher } from '../shared/adapters/kafka/threaded-publisher';
import { createEmbedder } from '../shared/embedding';
import { createLogger } from '../shared/log';
import type { QuantileForecast } from '../shared/forecasting/model';
import { ForecastJob, modelInput, trendFor } from '../services/forecaster/job';
import { resolveModel, type ModelHandle } from '../services/forecaster/registry';
import { Ensemble, combine, startOffloadedFirst } from '../shared/forecasting/ensemble';
import type { SeriesInput } from '../shared/forecasting/model';
import { forecasterSpec } from '../services/forecaster/config';
import { createTopics, deleteTopicsWithPrefix } from '../test/integration/support/kafka';
import { deleteKeysWithPrefix } from '../test/integration/support/redis';
import { BROKERS, REDIS_URL, ROOT, uniq } from '../test/integration/support/services';
import { cpuOf, infraPid, threadCpu, threadCpuDiff } from './proc';
import { spawnSync } from 'child_process';
import { FORECASTER_NODE_FLAGS } from '../services/forecaster/node-flags';

const arg = (name: string, def: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : def);
const BATCH = arg('--batch', forecasterSpec.FORECAST_BATCH_SIZE.default);
const PASSES = arg('--passes', 3);
const PROFILE = process.argv.includes('--cpu-prof') ? process.argv[process.argv.indexOf('--cpu-prof') + 1] : undefined;
const THREAD = !process.argv.includes('--no-thread');
const PUBLISH_THREAD = !process.argv.includes('--no-publish-thread');
/** --alternate N: the worker passes alternate between --batch and N, one pass each in turn (a comparison in the same minutes and process). */
const ALTERNATE = arg('--alternate', 0);
const ALLOC = process.argv.includes('--alloc-prof') ? process.argv[process.argv.indexOf('--alloc-prof') + 1] : undefined;
const NODE_DEFAULTS = process.argv.includes('--node-defaults');
const FILE = retailFile();
const settings = { alpha: 0.3, beta: 0.1, bucketMs: 86_400_000, maxBuckets: 400, reviewDecay: 0.1 };
const secs = (t0: number) => (Date.now() - t0) / 1000;

async function loadState(store: RedisStateStore) {
  const events = await retailEvents(FILE);
  const orders = events.filter((e) => e.kind === 'order').map((e) => e.event as OrderEvent);
  for (let i = 0; i < orders.length; i += 20000) await store.applyOrders(orders.slice(i, i + 20000));
  const newest = new Map<string, ListingEvent>();
  for (const e of events) if (e.kind === 'listing') newest.set(e.event.sku, e.event as ListingEvent);
  const listings = [...newest.values()];
  const embedder = await createEmbedder({ modelId: 'Xenova/all-MiniLM-L6-v2', modelDir: path.join(ROOT, 'models'), allowRemote: false, batchSize: 32 });
  const vecs = await embedder.embed(listings.map(listingText));
  await embedder.close();
  await store.applyListings(listings.map((event, i) => ({ event, embedding: vecs[i], modelId: embedder.modelId })));
  return { orders: orders.length, products: listings.length };
}

const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0];

/** Copies with their own history arrays, so no cache keyed on a history (demand shapes, Croston fits) carries over. */
const freshCopies = (inputs: SeriesInput[]) => inputs.map((s) => ({ ...s, history: Float64Array.from(s.history) }));

/** The model's forecast() alone, on inputs read once and copied for each pass (no shape cached from the pass before). */
async function modelAlone(store: RedisStateStore, model: ModelHandle, skus: string[]): Promise<number> {
  const wm = await store.watermark();
  const inputs = (await store.read(skus)).map((s) => modelInput(s, Math.floor(wm / settings.bucketMs) - 1, settings.bucketMs));
  let seconds = 0;
  for (let p = 0; p < PASSES; p++) {
    const fresh = freshCopies(inputs);
    const t0 = Date.now();
    for (let i = 0; i < fresh.length; i += BATCH) await model.current().model.forecast(fresh.slice(i, i + BATCH), 28);
    seconds += secs(t0);
  }
  return (PASSES * inputs.length) / seconds;
}

/**
 * The ensemble's forecast of the products with sales (cold start aside), against the same members
 * combined the plain way: each member's forecast() with its quantile arrays, then combine(). The
 * ensemble unrolls its calibrated members instead (shared/forecasting/fused.ts); both give the
 * same numbers, bit for bit. Same inputs, alternating, each timed over all passes.
 */
async function fusedVsPlain(store: RedisStateStore, model: ModelHandle, skus: string[]): Promise<{ fused: number; plain: number }> {
  const e = model.current().model as Ensemble;
  const { members, weights } = e.used();
  const wm = await store.watermark();
  const inputs = (await store.read(skus)).map((s) => modelInput(s, Math.floor(wm / settings.bucketMs) - 1, settings.bucketMs)).filter((s) => s.history.length > 0);
  let fused = 0;
  let plain = 0;
  for (let p = 0; p < PASSES; p++) {
    let batch = freshCopies(inputs);
    let t0 = Date.now();
    for (let i = 0; i < batch.length; i += BATCH) await e.forecast(batch.slice(i, i + BATCH), 28);
    fused += secs(t0);
    batch = freshCopies(inputs);
    t0 = Date.now();
    for (let i = 0; i < batch.length; i += BATCH) {
      const part = batch.slice(i, i + BATCH);
      // offloaded members first, as Ensemble.forecast starts them, so both legs overlap the thread alike
      const all = (await Promise.all(startOffloadedFirst(members, part, 28))) as QuantileForecast[][];
      part.forEach((_, j) => combine(all.map((f) => f[j]), weights));
    }
    plain += secs(t0);
  }
  return { fused: (PASSES * inputs.length) / fused, plain: (PASSES * inputs.length) / plain };
}

/**
 * One pass with each step awaited before the next (no overlap): where the time goes, as wall time
 * and as this process's CPU time (all its threads: in the forecast step the LSTM thread's too).
 */
async function splitPass(store: RedisStateStore, publisher: KafkaPublisher | ThreadedPublisher, topic: string, model: ModelHandle, skus: string[]) {
  const codec = codecFor<Trend>('trend');
  const wall = { read: 0, model: 0, encode: 0, publish: 0 };
  const cpu = { read: 0, model: 0, encode: 0, publish: 0 };
  const wm = await store.watermark();
  const wmBucket = Math.floor(wm / settings.bucketMs);
  const step = async <T>(k: keyof typeof wall, f: () => Promise<T>): Promise<T> => {
    const [t, c] = [performance.now(), process.cpuUsage()];
    const r = await f();
    const u = process.cpuUsage(c);
    wall[k] += performance.now() - t;
    cpu[k] += (u.user + u.system) / 1000;
    return r;
  };
  for (let i = 0; i < skus.length; i += BATCH) {
    const snaps = await step('read', () => store.read(skus.slice(i, i + BATCH)));
    const { ins, fc } = await step('model', async () => {
      const ins = snaps.map((sn) => modelInput(sn, wmBucket - 1, settings.bucketMs));
      return { ins, fc: await model.current().model.forecast(ins, 28) };
    });
    const messages = await step('encode', async () => fc.map((f, j) => ({ key: ins[j].sku, value: codec.encode(trendFor(snaps[j], ins[j], f, wm, { ...settings, horizon: 28, flatBand: 0.01 }, { name: model.current().model.name, version: 'bench' }, Date.now())) })));
    await step('publish', () => publisher.publish(topic, messages));
  }
  return { wall, cpu };
}

/** The worker's pass, as the scheduler's on-change path runs it: wall rate over all passes, each pass's rate and CPU. */
async function workerPasses(job: ForecastJob, skus: string[]) {
  const session = PROFILE ? await startProfile() : undefined;
  const alloc = ALLOC ? await startAllocProfile() : undefined;
  const passes: number[] = [];
  const cpuMs: number[] = [];
  const serverMs: string[] = [];
  const [redis, kafka] = [infraPid('redis'), infraPid('kafka')];
  const threads0 = threadCpu(process.pid);
  let published = 0;
  const t0 = Date.now();
  const batchOf = (p: number) => (ALTERNATE > 0 && p % 2 === 1 ? ALTERNATE : BATCH);
  for (let p = 0; p < PASSES; p++) {
    const [t, c, r0, k0] = [performance.now(), process.cpuUsage(), cpuOf(redis), cpuOf(kafka)];
    const n = await job.runAll(skus, batchOf(p));
    const cpu = process.cpuUsage(c);
    serverMs.push(`${((cpuOf(redis) - r0) * 1000).toFixed(0)} / ${((cpuOf(kafka) - k0) * 1000).toFixed(0)}`);
    passes.push(n / ((performance.now() - t) / 1000));
    cpuMs.push((cpu.user + cpu.system) / 1000);
    published += n;
  }
  const rate = published / secs(t0);
  // which of this process's threads took the passes' CPU (the main thread is "node", the LSTM's a worker)
  const threads = threadCpuDiff(threads0, threadCpu(process.pid));
  if (session) await stopProfile(session, PROFILE!);
  if (alloc) await stopAllocProfile(alloc, ALLOC!);
  return { rate, passes, cpuMs, serverMs, batchOf, threads };
}

/** Median of the passes (and of their CPU) run at each batch size, for --alternate. */
function byBatch(w: Awaited<ReturnType<typeof workerPasses>>): string {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  return [BATCH, ALTERNATE].map((b) => {
    const at = w.passes.map((_, p) => p).filter((p) => w.batchOf(p) === b);
    return `batch ${b}: ${Math.round(median(at.map((p) => w.passes[p]))).toLocaleString('en')} products/s, ${median(at.map((p) => w.cpuMs[p])).toFixed(0)} ms CPU (median of ${at.length} passes)`;
  }).join('; ');
}

/** An inspector session in this process with `domain` enabled and `start` posted (with its params). */
async function startSession(domain: string, start: string, params?: object): Promise<Session> {
  const session = new Session();
  session.connect();
  const post = (m: string, p?: object) => new Promise<void>((ok, ko) => session.post(m, p, (err) => (err ? ko(err) : ok())));
  await post(`${domain}.enable`);
  await post(start, params);
  return session;
}

/** Posts `stop` and writes the profile it returns to `file`. */
function stopSession(session: Session, stop: string, file: string): Promise<void> {
  return new Promise((ok, ko) => session.post(stop, (err, res) => {
    if (err) return ko(err);
    fs.writeFileSync(file, JSON.stringify((res as { profile: unknown }).profile));
    session.disconnect();
    ok();
  }));
}

/** CPU profile of the worker passes only (load and refit excluded); open the file in Chrome DevTools. */
const startProfile = () => startSession('Profiler', 'Profiler.start');
const stopProfile = (session: Session, file: string) => stopSession(session, 'Profiler.stop', file);

/**
 * Sampled allocations of the worker passes, including the objects that were collected since (most
 * of the pass's garbage dies young): where the garbage collector's work comes from.
 */
const startAllocProfile = () => startSession('HeapProfiler', 'HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
const stopAllocProfile = (session: Session, file: string) => stopSession(session, 'HeapProfiler.stopSampling', file);

/** Runs this bench again under the forecaster's node flags unless it has them (or --node-defaults); true if it did. */
function rerunAsDeployed(): boolean {
  if (NODE_DEFAULTS || FORECASTER_NODE_FLAGS.every((f) => process.execArgv.includes(f))) return false;
  const r = spawnSync(process.execPath, [...FORECASTER_NODE_FLAGS, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
  return true;
}

async function main() {
  if (rerunAsDeployed()) return;
  const prefix = uniq('benchf-');
  const store = new RedisStateStore(REDIS_URL, uniq('benchf'), settings);
  await store.connect();
  const log = createLogger('bench', 'warn');
  const topic = `${prefix}-trends`;
  await createTopics([topic]);
  const kafkaSettings = { brokers: BROKERS.split(','), clientId: 'bench' };
  // as the forecaster wires it (services/forecaster/service.ts)
  const publisher = PUBLISH_THREAD ? new ThreadedPublisher(kafkaSettings, log, { service: 'bench', logLevel: 'warn' }) : new KafkaPublisher(createKafka(kafkaSettings, log));
  await publisher.connect();
  try {
    let t0 = Date.now();
    const loaded = await loadState(store);
    const loadS = secs(t0);
    const model = await resolveModel('ensemble', log, { artifactsDir: path.join(ROOT, 'artifacts'), lstmThread: THREAD });
    const job = new ForecastJob({
      store, publisher, topic, codec: codecFor<Trend>('trend'), model,
      settings: { alpha: settings.alpha, beta: settings.beta, bucketMs: settings.bucketMs, horizon: 28, flatBand: 0.01 },
    });
    const skus = await store.listProducts();
    t0 = Date.now();
    await job.refit(skus);
    const refitS = secs(t0);
    const ensemble = model.current().model as Ensemble;
    // members of weight 0 everywhere are not run (Ensemble.used): say which ran
    const ran = ensemble.used().members.map((m) => m.name);
    const load0 = loadavg();
    const modelRate = await modelAlone(store, model, skus);
    const fvp = await fusedVsPlain(store, model, skus);
    const split = await splitPass(store, publisher, topic, model, skus);
    const worker = await workerPasses(job, skus);
    const mem = process.memoryUsage();
    const ms = (x: number) => x.toFixed(0);
    const rate = (x: number) => Math.round(x).toLocaleString('en');
    process.stdout.write([
      `| measure | value |`, `| --- | --- |`,
      `| data | ${path.basename(FILE)}: ${loaded.orders} order events, ${skus.length} products (state loaded in ${loadS.toFixed(1)} s, listings embedded) |`,
      `| model | ${model.current().model.name} ${model.current().version}, LSTM ${THREAD ? 'on its worker thread' : 'on the main thread'}, Kafka producer ${PUBLISH_THREAD ? 'on its worker thread' : 'on the main thread'} |`,
      `| load average (1 min) at the start / end of the measures | ${load0} / ${loadavg()} |`,
      `| refit (calibration + ensemble weights on every product) | ${refitS.toFixed(1)} s |`,
      `| members run (weight > 0 in some quantile) | ${ran.join(', ')} (not run: ${ensemble.members.map((m) => m.name).filter((m) => !ran.includes(m)).join(', ') || 'none'}) |`,
      `| model alone, batches of ${BATCH} (fresh inputs each pass) | ${rate(modelRate)} products/s |`,
      `| model alone, products with sales: ensemble (calibrated members fused) / the same members' arrays then combine() | ${rate(fvp.fused)} / ${rate(fvp.plain)} products/s |`,
      `| one pass, step after step: Redis read / forecast / Trend + Avro encode / Kafka publish, wall | ${ms(split.wall.read)} / ${ms(split.wall.model)} / ${ms(split.wall.encode)} / ${ms(split.wall.publish)} ms for ${skus.length} products |`,
      `| the same steps, Node CPU (all threads) | ${ms(split.cpu.read)} / ${ms(split.cpu.model)} / ${ms(split.cpu.encode)} / ${ms(split.cpu.publish)} ms |`,
      `| worker pass (ForecastJob.runAll, pipelined), ${PASSES} passes | ${rate(worker.rate)} products/s (passes: ${worker.passes.map(rate).join(', ')}) |`,
      `| Node CPU per worker pass (main thread, LSTM thread, publisher thread, GC helpers) | ${worker.cpuMs.map(ms).join(', ')} ms |`,
      `| the same over all passes, by thread | ${worker.threads} |`,
      `| Redis / Kafka broker CPU per worker pass (/proc, 10 ms ticks) | ${worker.serverMs.join(', ')} ms |`,
      ...(ALTERNATE > 0 ? [`| passes alternating between batch sizes | ${byBatch(worker)} |`] : []),
      `| peak heap / RSS | ${(mem.heapUsed / 2 ** 20).toFixed(0)} / ${(mem.rss / 2 ** 20).toFixed(0)} MiB |`,
    ].join('\n') + '\n');
    await model.stop();
  } finally {
    await publisher.disconnect();
    await deleteKeysWithPrefix((store as unknown as { prefix: string }).prefix);
    await store.close();
    await deleteTopicsWithPrefix(prefix);
  }
}

void main().then(() => process.exit(0), (err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
