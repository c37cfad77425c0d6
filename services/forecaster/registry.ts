import * as path from 'path';
import { ColdStartModel } from '../../shared/forecasting/cold-start';
import { Ensemble } from '../../shared/forecasting/ensemble';
import { STATISTICAL_MODELS, statisticalModel } from '../../shared/forecasting/index';
import type { FitOptions, ForecastModel, QuantileForecast, SeriesInput } from '../../shared/forecasting/model';
import type { Logger } from '../../shared/log';
import { ConfigError } from '../../shared/errors';
import type { LoadedArtifact } from '../../shared/ml/artifact';
import { LstmThread, ThreadDeadError } from '../../shared/ml/lstm-thread';
import type { ActiveModel } from './job';

export interface ModelHandle {
  current(): ActiveModel;
  /** Refits the statistical parts (calibration, ensemble weights) on the current population; swaps atomically. */
  refit(inputs: SeriesInput[], horizon: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ModelSettings {
  /** Folder of trained artifacts (`train --out`); the LSTM is loaded from <dir>/lstm and hot-swapped. */
  artifactsDir: string;
  pollMs: number;
  /** Members of the worker's ensemble; 'lstm' joins only when an artifact exists. */
  ensembleMembers: string[];
  /** Backend for tfjs models (TFJS_BACKEND). */
  tfjsBackend: string;
  /** Run the LSTM's forward pass on a worker thread (LSTM_THREAD). */
  lstmThread: boolean;
}

export const WORKER_MODELS = [...STATISTICAL_MODELS, 'ensemble', 'lstm'];

/**
 * The LSTM trained by `train`, frozen in the worker: fit() does nothing (training is the train
 * command's job), forecast() uses whichever artifact version is newest, swapped without a restart.
 * With a thread (LSTM_THREAD) a version forecasts there once the thread has loaded it, and in
 * process before that or once the thread has died.
 */
class ArtifactModel implements ForecastModel {
  readonly name = 'lstm';
  constructor(private readonly get: () => LoadedArtifact | undefined, private readonly thread?: LstmThread) {}
  get offloaded(): boolean {
    return this.thread?.alive ?? false;
  }
  async fit(_t: SeriesInput[], _o: FitOptions): Promise<void> {}
  async forecast(batch: SeriesInput[], horizon: number): Promise<QuantileForecast[]> {
    const a = this.get();
    if (!a) throw new Error('no LSTM artifact loaded');
    if (this.thread?.has(a.version)) {
      try {
        return await this.thread.forecast(a.version, batch, horizon);
      } catch (err) {
        if (!(err instanceof ThreadDeadError)) throw err;
      }
    }
    return a.model.forecast(batch, horizon);
  }
}

/** Resolves FORECAST_MODEL to the model the worker runs. */
export async function resolveModel(name: string, log: Logger, s?: Partial<ModelSettings>): Promise<ModelHandle> {
  if (!WORKER_MODELS.includes(name)) throw new Error(`FORECAST_MODEL ${JSON.stringify(name)} is not one of ${WORKER_MODELS.join(', ')}`);
  const settings: ModelSettings = { artifactsDir: path.resolve('artifacts'), pollMs: 30_000, ensembleMembers: [...STATISTICAL_MODELS, 'lstm'], tfjsBackend: 'auto', lstmThread: true, ...s };
  const unknown = settings.ensembleMembers.filter((m) => m !== 'lstm' && !STATISTICAL_MODELS.includes(m));
  if (unknown.length) throw new ConfigError('ENSEMBLE_MEMBERS', `${unknown.join(', ')} not among ${[...STATISTICAL_MODELS, 'lstm'].join(', ')}`);
  const lstm = name === 'lstm' || (name === 'ensemble' && settings.ensembleMembers.includes('lstm')) ? await watchLstm(settings, log, name === 'lstm') : undefined;
  const build = (): ForecastModel => {
    if (name === 'lstm') return lstm!.model;
    if (name !== 'ensemble') return statisticalModel(name);
    const members = settings.ensembleMembers.filter((m) => m !== 'lstm' || lstm?.loaded()).map((m) => (m === 'lstm' ? lstm!.model : statisticalModel(m)));
    // new products by the k-NN cold start, as backtested: it beats the LSTM there (0.8517 vs 0.8954 WQL)
    return new Ensemble(members, { coldStart: new ColdStartModel() });
  };
  const version = () => (lstm?.loaded() ? `${name}+lstm@${lstm.version()}` : `${name}@stat`);
  let active: ActiveModel = { model: build(), version: `${version()}/unfitted` };
  log.info('model selected', { model: name, version: active.version });
  return {
    current: () => active,
    refit: async (inputs, horizon) => {
      const next = build();
      const started = Date.now();
      await next.fit?.(inputs, { horizon });
      active = { model: next, version: `${version()}/fit-${new Date().toISOString()}` };
      log.info('model refitted', { model: name, products: inputs.length, ms: Date.now() - started, version: active.version });
    },
    stop: async () => lstm?.stop(),
  };
}

async function watchLstm(s: ModelSettings, log: Logger, required: boolean) {
  // tfjs is loaded only when a tfjs model is asked for: the statistical worker starts without it
  const { initBackend } = await import('../../shared/ml/backend');
  const { ArtifactWatcher } = await import('../../shared/ml/artifact');
  await initBackend(s.tfjsBackend, log);
  const thread = s.lstmThread ? new LstmThread(s.tfjsBackend, log) : undefined;
  const toThread = async (loaded: LoadedArtifact, previous?: LoadedArtifact): Promise<void> => {
    if (!thread?.alive) return;
    try {
      await thread.load(loaded.dir, loaded.version);
      log.info('lstm thread ready', { version: loaded.version });
    } catch (err) {
      log.warn('lstm thread could not load the artifact; it runs on the main thread', { version: loaded.version, err });
      return;
    }
    if (previous) setTimeout(() => void thread.drop(previous.version).catch(() => undefined), 60_000).unref();
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
  return {
    model: new ArtifactModel(() => watcher.latest, thread),
    loaded: () => watcher.latest !== undefined,
    version: () => watcher.latest?.version ?? 'none',
    stop: async () => {
      await watcher.stop();
      await thread?.close();
    },
  };
}
