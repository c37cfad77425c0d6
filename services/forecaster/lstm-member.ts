/** The LSTM member of the worker: trained artifacts, hot-swapped, forecast on a worker thread (LSTM_THREAD). */
import * as path from 'path';
import type { FitOptions, ForecastModel, QuantileForecast, SeriesInput } from '../../shared/forecasting/model';
import type { Logger } from '../../shared/log';
import type { LoadedArtifact } from '../../shared/ml/artifact';
import { LstmThread, ThreadDeadError } from '../../shared/ml/lstm-thread';
import type { ModelSettings } from './registry';

/**
 * The LSTM trained by `train`, frozen in the worker: fit() does nothing (training is the train
 * command's job), forecast() uses whichever artifact version is newest, swapped without a restart.
 * With a thread (LSTM_THREAD) a version forecasts there once the thread has loaded it, and in
 * process before that, once the thread has died, or when the thread's answer is an error.
 */
export class ArtifactModel implements ForecastModel {
  readonly name = 'lstm';
  constructor(
    private readonly get: () => LoadedArtifact | undefined,
    private readonly thread: () => LstmThread | undefined = () => undefined,
    private readonly log?: Logger,
  ) {}

  /** True when the current version will forecast on the thread (the ensemble then starts it first). */
  get offloaded(): boolean {
    const a = this.get();
    return a !== undefined && (this.thread()?.has(a.version) ?? false);
  }

  async fit(_t: SeriesInput[], _o: FitOptions): Promise<void> {}

  async forecast(batch: SeriesInput[], horizon: number): Promise<QuantileForecast[]> {
    const a = this.get();
    if (!a) throw new Error('no LSTM artifact loaded');
    const t = this.thread();
    if (t?.has(a.version)) {
      try {
        return await t.forecast(a.version, batch, horizon);
      } catch (err) {
        // the in-process model is at hand: a bad argument fails there the same way, anything else is the thread's
        if (!(err instanceof ThreadDeadError)) this.log?.warn('lstm thread forecast failed; forecasting in process', { version: a.version, err });
      }
    }
    return a.model.forecast(batch, horizon);
  }
}

/** Backends the thread is used with: native TensorFlow threads its own ops, and its addon is not for worker threads. */
const THREADED_BACKENDS = ['wasm', 'cpu'];
/** A thread that keeps failing is tried again after pollMs x 2^failures, at most this power. */
const MAX_BACKOFF_POWER = 5;
/** In-flight forecasts of an older version get this long before its tensors in the thread are freed. */
const DROP_AFTER_MS = 60_000;

/**
 * Watches the artifacts folder for LSTM versions. With LSTM_THREAD (and the wasm or cpu backend) the
 * thread starts with the first version (a worker without an artifact runs none) and loads every
 * later one too. A thread that has died, or could not load the version, is tried again at the next
 * check, every ARTIFACT_POLL_MS, backing off while it keeps failing (the LSTM runs in process
 * meanwhile).
 */
export async function watchLstm(s: ModelSettings, log: Logger, required: boolean, newThread = (backend: string) => new LstmThread(backend, log)) {
  // tfjs is loaded only when a tfjs model is asked for: the statistical worker starts without it
  const { initBackend } = await import('../../shared/ml/backend');
  const { ArtifactWatcher } = await import('../../shared/ml/artifact');
  const backend = await initBackend(s.tfjsBackend, log);
  const useThread = s.lstmThread && THREADED_BACKENDS.includes(backend.backend);
  if (s.lstmThread && !useThread) log.info('lstm runs in process: no thread with this backend', { backend: backend.backend });
  let thread: LstmThread | undefined;
  let stopped = false;
  let failures = 0;
  let nextTry = 0;
  const toThread = async (loaded: LoadedArtifact): Promise<void> => {
    if (!useThread || stopped) return;
    if (thread && !thread.alive) log.warn('starting a new lstm thread', { version: loaded.version });
    const t = thread?.alive ? thread : (thread = newThread(s.tfjsBackend));
    try {
      await t.load(loaded.dir, loaded.version);
    } catch (err) {
      if (stopped) return; // closed by stop() while loading: nothing to report
      failures++;
      nextTry = Date.now() + s.pollMs * 2 ** Math.min(failures, MAX_BACKOFF_POWER);
      log.warn('lstm thread could not load the artifact; it runs on the main thread', { version: loaded.version, failures, err });
      return;
    }
    failures = 0;
    log.info('lstm thread ready', { version: loaded.version });
    const old = t.versions().filter((v) => v !== loaded.version);
    if (old.length) setTimeout(() => old.forEach((v) => void t.drop(v).catch(() => undefined)), DROP_AFTER_MS).unref();
  };
  const watcher = new ArtifactWatcher({
    dir: s.artifactsDir, name: 'lstm', intervalMs: s.pollMs, log,
    // the watcher awaits this, so the first version is in the thread before the worker starts
    onNewVersion: (loaded, previous) => {
      // give in-flight forecasts of the old version a moment before freeing its tensors
      if (previous) setTimeout(() => previous.model.dispose?.(), DROP_AFTER_MS).unref();
      log.info('lstm artifact active', { version: loaded.version });
      return toThread(loaded);
    },
  });
  await watcher.start();
  if (required && !watcher.latest) throw new Error(`FORECAST_MODEL lstm: no trained artifact under ${path.join(s.artifactsDir, 'lstm')} (run the train command)`);
  // The heal timer never starts a load while its previous one runs; one from the watcher may
  // overlap it, which the thread answers once (it keeps one copy per version).
  let retrying: Promise<void> | undefined;
  const heal = setInterval(() => {
    const latest = watcher.latest;
    if (!useThread || stopped || retrying || !latest || thread?.has(latest.version) || Date.now() < nextTry) return;
    retrying = toThread(latest)
      .catch((err: unknown) => log.warn('lstm thread could not be started', { err }))
      .finally(() => (retrying = undefined));
  }, s.pollMs);
  heal.unref();
  return {
    model: new ArtifactModel(() => watcher.latest, () => thread, log),
    loaded: () => watcher.latest !== undefined,
    threadState: () => (useThread && watcher.latest ? { version: watcher.latest.version, up: thread?.has(watcher.latest.version) ?? false } : undefined),
    version: () => watcher.latest?.version ?? 'none',
    stop: async () => {
      stopped = true;
      clearInterval(heal);
      // closing first rejects what the thread still has queued, so nothing below waits for it
      await thread?.close();
      await watcher.stop();
      await retrying;
    },
  };
}
