/**
 * The statistical models by name, each a ForecastModel (calibrated quantiles, see calibrated.ts).
 * The forecaster worker and the backtest build their model lists from here.
 */
import { ArimaForecaster } from './arima';
import { CalibratedModel, CalibratedOptions, PointForecaster } from './calibrated';
import { EtsForecaster } from './ets';
import { HoltForecaster, SesForecaster } from './exp-smoothing';
import { CrostonForecaster, TsbForecaster } from './intermittent';
import { SeasonalNaiveForecaster } from './naive';

export const POINT_FORECASTERS: Record<string, () => PointForecaster> = {
  seasonal_naive: () => new SeasonalNaiveForecaster(),
  ses: () => new SesForecaster(),
  holt: () => new HoltForecaster(),
  ets: () => new EtsForecaster(),
  croston: () => new CrostonForecaster('croston'),
  sba: () => new CrostonForecaster('sba'),
  tsb: () => new TsbForecaster(),
  arima: () => new ArimaForecaster(),
};

export const STATISTICAL_MODELS = Object.keys(POINT_FORECASTERS);

export function statisticalModel(name: string, opts?: CalibratedOptions): CalibratedModel {
  const make = POINT_FORECASTERS[name];
  if (!make) throw new Error(`unknown statistical model "${name}" (known: ${STATISTICAL_MODELS.join(', ')})`);
  return new CalibratedModel(make(), opts);
}

export type { ForecastModel, SeriesInput, QuantileForecast, FitOptions } from './model';
