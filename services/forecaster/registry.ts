import type { Logger } from '../../shared/log';
import type { ActiveModel } from './job';
import { weeklyNaive } from './models';

export interface ModelHandle {
  current(): ActiveModel;
  stop(): Promise<void>;
}

/** Resolves the configured model name to the model the worker runs (hot-swapped when it is a trained artifact). */
export async function resolveModel(name: string, log: Logger): Promise<ModelHandle> {
  const fixed: Record<string, ActiveModel> = { seasonal_naive: { model: weeklyNaive, version: 'builtin-1' } };
  const m = fixed[name];
  if (!m) throw new Error(`FORECAST_MODEL ${JSON.stringify(name)} is not one of ${Object.keys(fixed).join(', ')}`);
  log.info('model selected', { model: name });
  return { current: () => m, stop: async () => {} };
}
