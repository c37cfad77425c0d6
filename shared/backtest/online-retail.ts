/**
 * Online Retail loader: EVALUATION.md steps 1-4.
 *   1. product id = upper-cased StockCode matching ^[0-9]{5}[A-Z]{0,2}$; lines with UnitPrice <= 0 dropped.
 *   2. demand of a product on a UTC day = max(0, sum of Quantity that day), cancellations included.
 *   3. one value per calendar day, 0 when nothing sold.
 *   4. history starts at the first day with demand > 0; listing text = most frequent Description up to
 *      a date; price = median UnitPrice of its sale lines (Quantity > 0) up to a date.
 * The raw rows stay available (`readRetailRows`, `RetailData.lines`) for the event replayer.
 */
import { readCsv } from './csv';

export const PRODUCT_CODE = /^[0-9]{5}[A-Z]{0,2}$/;
export const DAY_MS = 86_400_000;

/** One invoice line as in the file, typed. `time` is epoch ms (the timestamp is UTC). */
export interface RetailRow {
  invoiceNo: string;
  stockCode: string;
  description: string;
  quantity: number;
  invoiceDate: string;
  time: number;
  unitPrice: number;
  customerId: string;
  country: string;
}

/** A kept line of a product, reduced to what steps 2-4 need. */
export interface ProductLine {
  day: number;
  quantity: number;
  unitPrice: number;
  description: string;
}

export interface RetailProduct {
  sku: string;
  /** Demand per day, index 0 = RetailData.firstDay. */
  demand: Float64Array;
  /** Epoch day of the first day with demand > 0, or -1 if it never sold. */
  firstSaleDay: number;
  /** Its kept lines, in file order. */
  lines: ProductLine[];
}

export interface RetailData {
  /** Epoch days (days since 1970-01-01 UTC) of the first and last day in the file. */
  firstDay: number;
  lastDay: number;
  products: Map<string, RetailProduct>;
  /** Number of rows read and rows kept by step 1. */
  rowsRead: number;
  rowsKept: number;
}

const STAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?/;

export function parseStamp(s: string): number {
  const m = STAMP.exec(s.trim());
  if (!m) return NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] ? +m[6] : 0);
}

export const epochDay = (ms: number): number => Math.floor(ms / DAY_MS);
export const dayToIso = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
export function isoToDay(iso: string): number {
  const ms = parseStamp(`${iso} 00:00`);
  if (Number.isNaN(ms)) throw new Error(`bad date "${iso}" (expected YYYY-MM-DD)`);
  return epochDay(ms);
}

function num(v: string | undefined, name: string, line: number, file: string): number {
  const x = Number(v);
  if (v === undefined || v.trim() === '' || !Number.isFinite(x)) throw new Error(`${file}: row ${line}: ${name} "${v}" is not a number`);
  return x;
}

/** Every row of the file, typed, in file order. Throws naming the file and row on a malformed value. */
export async function* readRetailRows(file: string): AsyncGenerator<RetailRow> {
  let line = 0;
  for await (const r of readCsv(file)) {
    line++;
    if (line === 1) {
      for (const col of ['InvoiceNo', 'StockCode', 'Quantity', 'InvoiceDate', 'UnitPrice']) {
        if (!(col in r)) throw new Error(`${file}: missing column ${col} (Online Retail format expected)`);
      }
    }
    const time = parseStamp(r.InvoiceDate);
    if (Number.isNaN(time)) throw new Error(`${file}: row ${line}: InvoiceDate "${r.InvoiceDate}" is not YYYY-MM-DD HH:MM[:SS]`);
    yield {
      invoiceNo: r.InvoiceNo,
      stockCode: r.StockCode,
      description: (r.Description ?? '').trim(),
      quantity: num(r.Quantity, 'Quantity', line, file),
      invoiceDate: r.InvoiceDate,
      time,
      unitPrice: num(r.UnitPrice, 'UnitPrice', line, file),
      customerId: r.CustomerID ?? '',
      country: r.Country ?? '',
    };
  }
}

/** Step 1 as a predicate; returns the product id or undefined. */
export function productId(row: Pick<RetailRow, 'stockCode' | 'unitPrice'>): string | undefined {
  const sku = row.stockCode.trim().toUpperCase();
  return PRODUCT_CODE.test(sku) && row.unitPrice > 0 ? sku : undefined;
}

export async function loadRetail(file: string): Promise<RetailData> {
  return buildRetail(readRetailRows(file));
}

/** Builds the daily series from rows (any iterable, so tests can pass hand-made rows). */
export async function buildRetail(rows: AsyncIterable<RetailRow> | Iterable<RetailRow>): Promise<RetailData> {
  const lines = new Map<string, ProductLine[]>();
  let firstDay = Infinity;
  let lastDay = -Infinity;
  let rowsRead = 0;
  let rowsKept = 0;
  for await (const row of rows) {
    rowsRead++;
    if (!Number.isFinite(row.time)) throw new Error(`row ${rowsRead}: InvoiceDate "${row.invoiceDate}" is not a valid time`);
    const day = epochDay(row.time);
    if (day < firstDay) firstDay = day;
    if (day > lastDay) lastDay = day;
    const sku = productId(row);
    if (!sku) continue;
    rowsKept++;
    let ls = lines.get(sku);
    if (!ls) lines.set(sku, (ls = []));
    ls.push({ day, quantity: row.quantity, unitPrice: row.unitPrice, description: row.description });
  }
  if (rowsRead === 0) throw new Error('no rows: the file is empty');
  const n = lastDay - firstDay + 1;
  const products = new Map<string, RetailProduct>();
  for (const [sku, ls] of lines) {
    const net = new Float64Array(n);
    for (const l of ls) net[l.day - firstDay] += l.quantity;
    let first = -1;
    for (let i = 0; i < n; i++) {
      net[i] = Math.max(0, net[i]);
      if (first < 0 && net[i] > 0) first = firstDay + i;
    }
    products.set(sku, { sku, demand: net, firstSaleDay: first, lines: ls });
  }
  return { firstDay, lastDay, products, rowsRead, rowsKept };
}

/** Demand over epoch days [from, to] inclusive (0 outside the file's range). */
export function demandBetween(data: RetailData, p: RetailProduct, from: number, to: number): Float64Array {
  const out = new Float64Array(Math.max(0, to - from + 1));
  for (let d = Math.max(from, data.firstDay); d <= Math.min(to, data.lastDay); d++) out[d - from] = p.demand[d - data.firstDay];
  return out;
}

/** Most frequent non-empty Description among lines dated in [from, to]; a tie goes to the one that reached the count first. */
export function listingText(p: RetailProduct, from: number, to: number): string {
  const counts = new Map<string, number>();
  let best = '';
  let bestN = 0;
  for (const l of p.lines) {
    if (l.day < from || l.day > to || l.description === '') continue;
    const c = (counts.get(l.description) ?? 0) + 1;
    counts.set(l.description, c);
    if (c > bestN) {
      best = l.description;
      bestN = c;
    }
  }
  return best;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median UnitPrice of sale lines (Quantity > 0) dated in [from, to]; NaN if none. */
export function medianPrice(p: RetailProduct, from: number, to: number): number {
  const xs: number[] = [];
  for (const l of p.lines) if (l.day >= from && l.day <= to && l.quantity > 0) xs.push(l.unitPrice);
  return median(xs);
}
