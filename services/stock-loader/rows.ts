import { createHash } from 'crypto';
import type { InventoryEvent } from '../../shared/domain/events';
import { validateInventory, type ValidationLimits } from '../../shared/domain/validation';

/**
 * Stock counts, as a platform exports them (a CSV with a header line), turned into the `inventory`
 * events the restock trigger reads. Columns, in any order, names case-insensitive:
 *   sku, onHand, onOrder, leadTimeDays   required
 *   countedAt                            optional: when the stock was counted (default: now)
 */
export const REQUIRED_COLUMNS = ['sku', 'onHand', 'onOrder', 'leadTimeDays'] as const;
export const OPTIONAL_COLUMNS = ['countedAt'] as const;
type Column = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];

export type StockRecord = Partial<Record<Column, string>>;

export interface ParsedStock {
  events: InventoryEvent[];
  /** One line per bad row or header problem, each naming where it is ("line 4: ..."). */
  errors: string[];
}

/**
 * The event id is a digest of the count itself, so loading the same dated count twice gives the
 * same (eventTime, eventId), which the trigger treats as not newer: a re-run changes nothing.
 */
export function stockEventId(e: Omit<InventoryEvent, 'eventId'>): string {
  const h = createHash('sha256').update(`${e.sku}\n${e.eventTime}\n${e.onHand}\n${e.onOrder}\n${e.leadTimeDays}`).digest('hex');
  return `stock-${h.slice(0, 32)}`;
}

/** A time as epoch ms: integer milliseconds, a date (UTC midnight) or a date-time with its zone. */
export function parseTime(s: string): number {
  const v = s.trim();
  if (/^\d+$/.test(v)) return Number(v);
  // a date-time without a zone would be read in the machine's local zone: refuse to guess
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(v)) throw new Error(`countedAt "${v}" needs a time zone (e.g. 2026-12-01T08:00:00Z) or must be a date or epoch ms`);
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw new Error(`countedAt "${v}" is not a date-time`);
  return t;
}

function integer(name: string, s: string | undefined): number {
  const v = (s ?? '').trim();
  if (v === '') throw new Error(`${name} is missing`);
  if (!/^-?\d+$/.test(v)) throw new Error(`${name} "${v}" is not an integer`);
  return Number(v);
}

/** One record -> one validated event; throws with the reason. */
export function toStockEvent(r: StockRecord, limits: ValidationLimits, now: number): InventoryEvent {
  const sku = (r.sku ?? '').trim();
  const countedAt = r.countedAt?.trim() ? parseTime(r.countedAt) : now;
  const base = { eventTime: countedAt, sku, onHand: integer('onHand', r.onHand), onOrder: integer('onOrder', r.onOrder), leadTimeDays: integer('leadTimeDays', r.leadTimeDays) };
  return validateInventory({ eventId: stockEventId(base), ...base }, limits, now);
}

const unquote = (f: string) => f.trim().replace(/^"(.*)"$/, '$1');

/** Parses a whole file; every problem is collected, so one run shows them all. */
export function parseStockCsv(text: string, limits: ValidationLimits, now = Date.now()): ParsedStock {
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '' && !l.startsWith('#'));
  if (headerAt < 0) return { events: [], errors: ['the file is empty: expected a header line (sku,onHand,onOrder,leadTimeDays[,countedAt])'] };
  const known = new Map<string, Column>([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS].map((c) => [c.toLowerCase(), c]));
  const header = lines[headerAt].split(',').map((h) => unquote(h).toLowerCase());
  const errors: string[] = [];
  const unknown = header.filter((h) => !known.has(h));
  if (unknown.length) errors.push(`line ${headerAt + 1}: unknown column(s) ${unknown.join(', ')} (known: ${[...known.values()].join(', ')})`);
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c.toLowerCase()));
  if (missing.length) errors.push(`line ${headerAt + 1}: missing column(s) ${missing.join(', ')}`);
  if (errors.length) return { events: [], errors };
  const events: InventoryEvent[] = [];
  // two counts of one product at one time would leave the trigger to pick one by id: refuse instead
  const seen = new Map<string, number>();
  for (let i = headerAt + 1; i < lines.length; i++) {
    if (lines[i].trim() === '' || lines[i].startsWith('#')) continue;
    const fields = lines[i].split(',').map(unquote);
    if (fields.length !== header.length) {
      errors.push(`line ${i + 1}: ${fields.length} fields, the header has ${header.length}`);
      continue;
    }
    const record: StockRecord = {};
    header.forEach((h, j) => (record[known.get(h)!] = fields[j]));
    try {
      const e = toStockEvent(record, limits, now);
      const key = `${e.sku}@${e.eventTime}`;
      const first = seen.get(key);
      if (first !== undefined) throw new Error(`sku ${e.sku} was already counted at the same time on line ${first}`);
      seen.set(key, i + 1);
      events.push(e);
    } catch (err) {
      errors.push(`line ${i + 1}: ${(err as Error).message}`);
    }
  }
  return { events, errors };
}
