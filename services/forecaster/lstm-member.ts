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
 * process before that or once the thread has died.
 */
export class ArtifactModel implements ForecastModel {
  readonly name = 'lstm';
  constructor(private readonly get: () => LoadedArtifact | undefined, private readonly thread: () => LstmThread | undefined = () => undefined) {}
  get offloaded(): boolean {
    return this.thread()?.alive ?? false;
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
        if (!(err instanceof ThreadDeadError)) throw err;
      }
    }
    return a.model.forecast(batch, horizon);
  }
}

/**
 * Watches the artifacts folder for LSTM versions. With LSTM_THREAD the thread starts with the first
 * version (a worker without an artifact runs none) and loads every later one too. A thread that has
 * died is replaced at the next check, every ARTIFACT_POLL_MS (meanwhile the LSTM runs in process).
 */
export async function watchLstm(s: ModelSettings, log: Logger, required: boolean, newThread = (backend: string) => new LstmThread(backend, log)) {
  // tfjs is loaded only when a tfjs model is asked for: the statistical worker starts without it
  const { initBackend } = await import('../../shared/ml/backend');
  const { ArtifactWatcher } = await import('../../shared/ml/artifact');
  await initBackend(s.tfjsBackend, log);
  let thread: LstmThread | undefined;
  let stopped = false;
  const toThread = async (loaded: LoadedArtifact, previous?: LoadedArtifact): Promise<void> => {
    if (!s.lstmThread || stopped) return;
    if (thread && !thread.alive) log.warn('starting a new lstm thread', { version: loaded.version });
    const t = thread?.alive ? thread : (thread = newThread(s.tfjsBackend));
    try {
      await t.load(loaded.dir, loaded.version);
      log.info('lstm thread ready', { version: loaded.version });
    } catch (err) {
      log.warn('lstm thread could not load the artifact; it runs on the main thread', { version: loaded.version, err });
      return;
    }
    if (previous) setTimeout(() => void t.drop(previous.version).catch(() => undefined), 60_000).unref();
  };
  const watcher = new ArtifactWatcher({
    dir: s.artifactsDir, name: 'lstm', intervalMs: s.pollMs, log,
    // the watcher awaits this, so the first version is in the thread before the worker starts
    onNewVersion: (loaded, previous) => {
      // give in-flight forecasts of the old version a moment before freeing its tensors
      if (previous) setTimeout(() => previous.model.dispose?.(), 60_000).unref();
      log.info('lstm artifact active', { version: loaded.version });
      return toThread(loaded, previous);
    },
  });
  await watcher.start();
  if (required && !watcher.latest) throw new Error(`FORECAST_MODEL lstm: no trained artifact under ${path.join(s.artifactsDir, 'lstm')} (run the train command)`);
  // a dead thread (or one that could not load the version) is tried again, never two loads at once
  let retrying: Promise<void> | undefined;
  const heal = setInterval(() => {
    const latest = watcher.latest;
    if (!s.lstmThread || stopped || retrying || !latest || thread?.has(latest.version)) return;
    retrying = toThread(latest).finally(() => (retrying = undefined));
  }, s.pollMs);
  heal.unref();
  return {
    model: new ArtifactModel(() => watcher.latest, () => thread),
    loaded: () => watcher.latest !== undefined,
    threadState: () => (s.lstmThread && watcher.latest ? { version: watcher.latest.version, up: thread?.has(watcher.latest.version) ?? false } : undefined),
    version: () => watcher.latest?.version ?? 'none',
    stop: async () => {
      stopped = true;
      clearInterval(heal);
      await watcher.stop();
      await retrying;
      await thread?.close();
    },
  };
}
