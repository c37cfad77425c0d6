/** Stock counts from a CSV: column order, times, bad rows reported by line, deterministic ids. */
import { parseStockCsv, parseTime, stockEventId } from '../../../services/stock-loader/rows';

const limits = { maxOrderQuantity: 100000, maxUnitPrice: 1e6, maxTextChars: 10000, maxFutureSkewMs: 86_400_000 };
const now = Date.UTC(2026, 11, 1, 12, 0, 0);

test('columns in any order and case; countedAt optional (default now); comments and blank lines skipped', () => {
  const csv = ['# exported 2026-12-01', 'LeadTimeDays,SKU,onorder,onHand,countedAt', '7,22808,0,5,2026-12-01T08:00:00Z', '', '14,85038,12,0,', '3,"21756",1,2,2026-11-30'].join('\n');
  const { events, errors } = parseStockCsv(csv, limits, now);
  expect(errors).toEqual([]);
  expect(events.map(({ eventId, ...rest }) => rest)).toEqual([
    { eventTime: Date.UTC(2026, 11, 1, 8), sku: '22808', onHand: 5, onOrder: 0, leadTimeDays: 7 },
    { eventTime: now, sku: '85038', onHand: 0, onOrder: 12, leadTimeDays: 14 },
    { eventTime: Date.UTC(2026, 10, 30), sku: '21756', onHand: 2, onOrder: 1, leadTimeDays: 3 },
  ]);
  for (const e of events) expect(e.eventId).toMatch(/^stock-[0-9a-f]{32}$/);
});

test('the same dated count gives the same id; any change of the count gives another', () => {
  const base = { sku: 'A1', eventTime: Date.UTC(2026, 10, 1), onHand: 5, onOrder: 0, leadTimeDays: 7 };
  const id = stockEventId(base);
  expect(stockEventId({ ...base })).toBe(id);
  const changed = [{ sku: 'A2' }, { eventTime: base.eventTime + 1 }, { onHand: 6 }, { onOrder: 1 }, { leadTimeDays: 8 }].map((d) => stockEventId({ ...base, ...d }));
  expect(new Set([id, ...changed]).size).toBe(6);
  const csv = 'sku,onHand,onOrder,leadTimeDays,countedAt\nA1,5,0,7,2026-11-01\n';
  expect(parseStockCsv(csv, limits, now).events[0].eventId).toBe(id);
  // a count without countedAt is a new observation at each load
  expect(parseStockCsv('sku,onHand,onOrder,leadTimeDays\nA1,5,0,7\n', limits, now + 1).events[0].eventTime).toBe(now + 1);
});

test('every bad row is reported with its line number and reason, and only good rows are returned', () => {
  const csv = [
    'sku,onHand,onOrder,leadTimeDays,countedAt',
    'GOOD,1,0,7,',
    'NEG,-1,0,7,',
    'FRAC,1.5,0,7,',
    'LEAD,1,0,0,',
    'FUTURE,1,0,7,2027-06-01T00:00:00Z',
    'LOCAL,1,0,7,2026-12-01T08:00:00',
    'bad sku!,1,0,7,',
    'SHORT,1,0',
    'GOOD,2,0,7,',
  ].join('\n');
  const { events, errors } = parseStockCsv(csv, limits, now);
  expect(events.map((e) => e.sku)).toEqual(['GOOD']);
  expect(errors).toHaveLength(8);
  expect(errors[0]).toBe('line 3: onHand -1 must be a non-negative integer');
  expect(errors[1]).toBe('line 4: onHand "1.5" is not an integer');
  expect(errors[2]).toMatch(/^line 5: leadTimeDays 0 is not in \[1, 365\]/);
  expect(errors[3]).toMatch(/^line 6: eventTime 2027-06-01T00:00:00.000Z is in the future/);
  expect(errors[4]).toMatch(/^line 7: countedAt "2026-12-01T08:00:00" needs a time zone/);
  expect(errors[5]).toMatch(/^line 8: sku "bad sku!" is not a product id/);
  expect(errors[6]).toBe('line 9: 3 fields, the header has 5');
  // both GOOD rows are counted at `now`: two counts of one product at one time are refused
  expect(errors[7]).toBe('line 10: sku GOOD was already counted at the same time on line 2');
});

test('a header without the required columns, or with unknown ones, is refused before any row', () => {
  expect(parseStockCsv('sku,onHand\nA,1\n', limits, now).errors).toEqual(['line 1: missing column(s) onOrder, leadTimeDays']);
  expect(parseStockCsv('sku,onHand,onOrder,leadTimeDays,warehouse\nA,1,0,7,W1\n', limits, now).errors[0]).toMatch(/^line 1: unknown column\(s\) warehouse/);
  expect(parseStockCsv('\n# nothing\n', limits, now).errors[0]).toMatch(/the file is empty/);
});

test('times: epoch ms, a date (UTC midnight), a date-time with Z or an offset', () => {
  expect(parseTime('1764576000000')).toBe(1764576000000);
  expect(parseTime('2026-12-01')).toBe(Date.UTC(2026, 11, 1));
  expect(parseTime('2026-12-01T09:30:00+01:00')).toBe(Date.UTC(2026, 11, 1, 8, 30));
  expect(() => parseTime('yesterday')).toThrow(/needs a time zone/);
  expect(() => parseTime('2026-13-45Z')).toThrow(/is not a date-time/);
});
