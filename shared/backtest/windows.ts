/**
 * The forecast windows of EVALUATION.md: at each origin, the established products (first sale on or
 * before the origin, with their history up to it) and the new products (first sale inside the 28 days
 * after it, with only the listing text and price the protocol reveals), plus the reference set the
 * new-product baselines draw on (products whose first 28 days ended on or before the origin).
 */
import type { SeriesInput } from '../forecasting/model';
import { maseScale, rmsseScale } from './metrics';
import { DAY_MS, RetailData, RetailProduct, demandBetween, isoToDay, listingText, medianPrice } from './online-retail';

export const ORIGINS = ['2011-08-14', '2011-09-11', '2011-10-09', '2011-11-06'] as const;
export const HORIZON = 28;

export interface EstablishedItem {
  sku: string;
  /** Demand from the first sale day through the origin. */
  history: Float64Array;
  firstSaleDay: number;
  /** The 28 days after the origin. */
  actual: Float64Array;
  text: string;
  price: number;
  maseScale: number;
  rmsseScale: number;
}

export interface NewItem {
  sku: string;
  firstSaleDay: number;
  actual: Float64Array;
  /** Most frequent Description and median sale price inside the scored window (as the protocol allows). */
  text: string;
  price: number;
}

export interface ReferenceItem {
  sku: string;
  /** Demand over the product's first 28 days (first sale day first). */
  first28: Float64Array;
  /** Median UnitPrice of its sale lines in those 28 days. */
  price28: number;
}

export interface Window {
  origin: number;
  originIso: string;
  established: EstablishedItem[];
  fresh: NewItem[];
  references: ReferenceItem[];
}

function established(data: RetailData, p: RetailProduct, origin: number): EstablishedItem {
  const history = demandBetween(data, p, p.firstSaleDay, origin);
  return {
    sku: p.sku,
    history,
    firstSaleDay: p.firstSaleDay,
    actual: demandBetween(data, p, origin + 1, origin + HORIZON),
    text: listingText(p, -Infinity, origin),
    price: medianPrice(p, -Infinity, origin),
    maseScale: maseScale(history, 7),
    rmsseScale: rmsseScale(history),
  };
}

export function buildWindow(data: RetailData, originIso: string): Window {
  const origin = isoToDay(originIso);
  if (origin < data.firstDay || origin + HORIZON > data.lastDay) {
    throw new Error(`origin ${originIso}: the data must cover it and the 28 days after (it spans days ${data.firstDay}..${data.lastDay})`);
  }
  const w: Window = { origin, originIso, established: [], fresh: [], references: [] };
  const skus = [...data.products.keys()].sort();
  for (const sku of skus) {
    const p = data.products.get(sku)!;
    const f = p.firstSaleDay;
    if (f < 0) continue;
    if (f <= origin) {
      w.established.push(established(data, p, origin));
      if (f + HORIZON - 1 <= origin) {
        w.references.push({ sku, first28: demandBetween(data, p, f, f + HORIZON - 1), price28: medianPrice(p, f, f + HORIZON - 1) });
      }
    } else if (f <= origin + HORIZON) {
      w.fresh.push({
        sku,
        firstSaleDay: f,
        actual: demandBetween(data, p, origin + 1, origin + HORIZON),
        text: listingText(p, origin + 1, origin + HORIZON),
        price: medianPrice(p, origin + 1, origin + HORIZON),
      });
    }
  }
  return w;
}

/** The model's view of an established product: only data up to the origin. */
export function establishedInput(it: EstablishedItem, embedding?: Float32Array): SeriesInput {
  return { sku: it.sku, history: it.history, startTime: it.firstSaleDay * DAY_MS, bucketMs: DAY_MS, price: it.price, embedding };
}

/**
 * The model's view of a new product: no history; step 1 of the forecast is the day after the origin,
 * so startTime is that day (the convention: step h covers startTime + (history.length + h - 1) * bucketMs).
 */
export function newInput(it: NewItem, origin: number, embedding?: Float32Array): SeriesInput {
  return { sku: it.sku, history: new Float64Array(0), startTime: (origin + 1) * DAY_MS, bucketMs: DAY_MS, price: it.price, embedding };
}

export { truncateSeries as truncateInput } from '../forecasting/series';
