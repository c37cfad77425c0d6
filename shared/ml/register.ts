/**
 * Registers the tfjs models with the backtest (services/backtest passes this to `useModels` of
 * shared/backtest/registry.ts): `lstm` (with text embeddings) and `lstm_notext` (the ablation).
 */
import type { registerModel } from '../backtest/registry';
import { GlobalLstmModel, LstmOptions } from './lstm';

/**
 * Settings for backtest fits: the ensemble fits every member twice per window (validation cut, then
 * full), so 4 windows mean 8 LSTM fits; these keep each under about a minute on one wasm core.
 */
export const BACKTEST_LSTM: LstmOptions = { validate: false };

export function registerModels(register: typeof registerModel): void {
  register('lstm', {
    segments: ['established', 'new'],
    create: () => new GlobalLstmModel({ ...BACKTEST_LSTM, useText: true }),
    ensembleMember: true,
    description: 'global LSTM (tfjs) correcting calibrated ses; text embeddings + price + calendar, quantile loss',
  });
  register('lstm_notext', {
    segments: ['established', 'new'],
    create: () => new GlobalLstmModel({ ...BACKTEST_LSTM, useText: false }),
    default: false,
    description: 'the same LSTM without text embeddings (ablation)',
  });
}
