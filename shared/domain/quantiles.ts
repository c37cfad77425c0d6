/** Per step of the horizon, step 1 first. p10 <= p50 <= p90 and all >= 0. */
export interface QuantileForecast {
  p10: number[];
  p50: number[];
  p90: number[];
}
