import * as path from 'path';
import { ColdStartModel } from '../../shared/forecasting/cold-start';
import { Ensemble } from '../../shared/forecasting/ensemble';
import { STATISTICAL_MODELS, statisticalModel } from '../../shared/forecasting/index';
import type { ForecastModel, SeriesInput } from '../../shared/forecasting/model';
import type { Logger } from '../../shared/log';
import { ConfigError } from '../../shared/errors';
import { watchLstm } from './lstm-member';
import type { ActiveModel } from './job';

export interface ModelHandle {
  current(): ActiveModel;
  /** Refits the statistical parts (calibration, ensemble weights) on the current population; swaps atomically. */
  refit(inputs: SeriesInput[], horizon: number): Promise<void>;
  stop(): Promise<void>;
  /** Whether the LSTM's current version forecasts on its thread; undefined without an LSTM artifact or with the thread off. */
  lstmThread(): { version: string; up: boolean } | undefined;
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
    lstmThread: () => lstm?.threadState(),
  };
}
