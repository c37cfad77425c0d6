/**
 * The LSTM on a worker thread (shared/ml/lstm-thread.ts) and the worker's wiring of it
 * (services/forecaster/registry.ts): a real thread, a real trained artifact on disk.
 */
import { execFile } from 'child_process';
import { promises as fs } from 'fs';
import { promisify } from 'util';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../../../shared/ml/backend';
import { GlobalLstmModel } from '../../../shared/ml/lstm';
import { saveArtifact } from '../../../shared/ml/artifact';
import { LstmThread, ThreadDeadError } from '../../../shared/ml/lstm-thread';
import { Ensemble } from '../../../shared/forecasting/ensemble';
import { resolveModel } from '../../../services/forecaster/registry';
import { watchLstm } from '../../../services/forecaster/lstm-member';
import { createLogger } from '../../../shared/log';
import { createRegistry } from '../../../shared/observability/metrics';
import { lstmThreadMetric } from '../../../services/forecaster/metrics';
import { inputAt, synthProducts } from './synthetic';

const START = 15000;
const ORIGIN = START + 120 - 1;
const tiny = { lookback: 14, hidden: 8, dense: 16, epochs: 1, samplesPerEpoch: 512, batchSize: 128, textDims: 4, validate: false };
const products = synthProducts(60, 120, START, 9, 16);
// established products (a subarray history, as the ensemble's validation cut makes), with reviews, and one cold start
const inputs = products.filter((p) => p.firstDay <= ORIGIN).map((p) => inputAt(p, ORIGIN, true, true));
const cold = { ...inputs[0], sku: 'NEW', history: new Float64Array(0), startTime: (ORIGIN + 1) * 86_400_000 };
const log = createLogger('test', 'error');
let root: string;
let model: GlobalLstmModel;
let saved: { dir: string; version: string };

beforeAll(async () => {
  await initBackend('wasm');
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tc-thread-'));
  model = new GlobalLstmModel({ ...tiny, seed: 3 });
  await model.fit(inputs, { horizon: 28 });
  saved = await saveArtifact(model, root);
}, 60_000);
afterAll(async () => {
  model.dispose();
  await fs.rm(root, { recursive: true, force: true });
});

describe('LstmThread', () => {
  it('forecasts exactly what the model does in process, cold start included', async () => {
    const t = new LstmThread('wasm');
    try {
      await t.load(saved.dir, saved.version);
      expect(t.has(saved.version)).toBe(true);
      const batch = [...inputs, cold];
      const there = await t.forecast(saved.version, batch, 28);
      expect(there).toEqual(await model.forecast(batch, 28));
      expect(there[there.length - 1].p50.some((v) => v > 0)).toBe(true); // the cold start is a real forecast
      // a shorter horizon goes through the same packing
      expect(await t.forecast(saved.version, inputs.slice(0, 3), 5)).toEqual(await model.forecast(inputs.slice(0, 3), 5));
    } finally {
      await t.close();
    }
  }, 30_000);

  it('keeps a process alive while a forecast is pending on it, and lets it exit once idle', async () => {
    const tsx = path.join(__dirname, '../../../node_modules/.bin/tsx');
    const { stdout } = await promisify(execFile)(tsx, [path.join(__dirname, 'support/thread-exit.ts'), saved.dir], { timeout: 30_000 });
    expect(stdout.trim()).toBe('7'); // answered (not exited early), then exited by itself (no timeout)
  }, 40_000);

  it('a thread that does not answer within the deadline is terminated, and the request fails with ThreadDeadError', async () => {
    const t = new LstmThread('wasm');
    await t.load(saved.dir, saved.version);
    const big = Array.from({ length: 50 }, () => inputs).flat();
    await expect(t.forecast(saved.version, big, 28, 1)).rejects.toThrow(ThreadDeadError);
    expect(t.alive).toBe(false);
    await expect(t.forecast(saved.version, inputs, 28)).rejects.toThrow(/no answer to a forecast request within 1 ms/);
    await t.close();
  }, 30_000);

  it('passes the model errors back and stays up; once closed every call fails fast with ThreadDeadError', async () => {
    const t = new LstmThread('wasm');
    await t.load(saved.dir, saved.version);
    await expect(t.forecast('19990101T000000000Z', inputs, 28)).rejects.toThrow(/version 19990101T000000000Z is not loaded/);
    await expect(t.forecast(saved.version, inputs, 99)).rejects.toThrow(/horizon 99 is outside 1\.\.28/);
    await expect(t.load(path.join(root, 'lstm', 'nope'), 'nope')).rejects.toThrow(/ENOENT/);
    expect(t.alive).toBe(true);
    expect((await t.forecast(saved.version, inputs.slice(0, 2), 28))).toHaveLength(2);
    await t.close();
    expect(t.alive).toBe(false);
    expect(t.has(saved.version)).toBe(false);
    await expect(t.forecast(saved.version, inputs, 28)).rejects.toBeInstanceOf(ThreadDeadError);
  }, 30_000);
});

describe('the worker ensemble with LSTM_THREAD', () => {
  it('runs the LSTM member on the thread (offloaded) and forecasts what the in-process LSTM does', async () => {
    const settings = { artifactsDir: root, ensembleMembers: ['ses', 'lstm'], tfjsBackend: 'wasm' };
    const threaded = await resolveModel('ensemble', log, { ...settings, lstmThread: true });
    const local = await resolveModel('ensemble', log, { ...settings, lstmThread: false });
    try {
      const members = (h: typeof threaded) => (h.current().model as Ensemble).members;
      expect(members(threaded).map((m) => [m.name, Boolean(m.offloaded)])).toEqual([['ses', false], ['lstm', true]]);
      expect(members(local).map((m) => Boolean(m.offloaded))).toEqual([false, false]);
      await threaded.refit(inputs, 28);
      await local.refit(inputs, 28);
      expect(threaded.current().version).toContain(`lstm@${saved.version}`);
      const batch = [...inputs, cold];
      expect(await threaded.current().model.forecast(batch, 28)).toEqual(await local.current().model.forecast(batch, 28));
      // what trendcast_lstm_thread_up shows: 1 for the version on the thread, no series with the thread off
      expect(threaded.lstmThread()).toEqual({ version: saved.version, up: true });
      expect(local.lstmThread()).toBeUndefined();
    } finally {
      await threaded.stop();
      await local.stop();
    }
    // stopped: the handle's thread is gone, the in-process model still answers, and the gauge says 0
    expect(await members0(threaded).forecast(inputs.slice(0, 1), 28)).toHaveLength(1);
    const registry = createRegistry('forecaster');
    lstmThreadMetric(registry, () => threaded.lstmThread());
    expect(await registry.metrics()).toContain(`trendcast_lstm_thread_up{version="${saved.version}",service="forecaster"} 0`);
    const none = createRegistry('forecaster');
    lstmThreadMetric(none, () => local.lstmThread());
    expect(await none.metrics()).not.toMatch(/^trendcast_lstm_thread_up\{/m);
  }, 60_000);
});

describe('the LSTM member when its thread goes away', () => {
  it('answers a forecast in flight at that moment in process, with the same numbers, and the gauge says 0', async () => {
    const settings = { artifactsDir: root, ensembleMembers: ['lstm'], tfjsBackend: 'wasm' };
    const threaded = await resolveModel('lstm', log, { ...settings, lstmThread: true });
    const lstm = threaded.current().model;
    expect(lstm.offloaded).toBe(true);
    // 2,000 products: the thread needs far longer to answer than stop() takes to terminate it
    const big = Array.from({ length: 50 }, () => inputs).flat();
    const pending = lstm.forecast(big, 28); // posted to the thread
    await threaded.stop();
    expect(await pending).toEqual(await model.forecast(big, 28));
    expect(lstm.offloaded).toBe(false);
    expect(threaded.lstmThread()).toEqual({ version: saved.version, up: false });
  }, 30_000);
});

describe('a thread that dies', () => {
  it('is replaced at the next check, and the LSTM goes back to it', async () => {
    const made: LstmThread[] = [];
    const settings = { artifactsDir: root, pollMs: 100, ensembleMembers: ['lstm'], tfjsBackend: 'wasm', lstmThread: true };
    const lstm = await watchLstm(settings, log, true, (b) => {
      const t = new LstmThread(b);
      made.push(t);
      return t;
    });
    try {
      expect(made).toHaveLength(1);
      expect(lstm.threadState()).toEqual({ version: saved.version, up: true });
      await made[0].close(); // as if it had crashed
      expect(lstm.threadState()).toEqual({ version: saved.version, up: false });
      expect(await lstm.model.forecast(inputs.slice(0, 3), 28)).toEqual(await model.forecast(inputs.slice(0, 3), 28)); // in process meanwhile
      const t0 = Date.now();
      while (!lstm.threadState()!.up && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
      expect(made).toHaveLength(2);
      expect(lstm.threadState()).toEqual({ version: saved.version, up: true });
      expect(lstm.model.offloaded).toBe(true);
      expect(await lstm.model.forecast(inputs, 28)).toEqual(await model.forecast(inputs, 28));
    } finally {
      await lstm.stop();
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(made).toHaveLength(2); // stopped: no new thread after stop
    expect(made.every((t) => !t.alive)).toBe(true);
  }, 30_000);
});

const members0 = (h: Awaited<ReturnType<typeof resolveModel>>) => (h.current().model as Ensemble).members[1];
