import { join } from 'node:path';
import { buildRetail, isoToDay, listingText, loadRetail, medianPrice, parseStamp, readRetailRows, RetailRow } from '../../../shared/backtest/online-retail';

const FIXTURE = join(__dirname, '../../fixtures/online-retail/sample.csv');

export function row(stockCode: string, date: string, quantity: number, unitPrice = 1, description = 'THING', invoiceNo = '1'): RetailRow {
  return { invoiceNo, stockCode, description, quantity, invoiceDate: date, time: parseStamp(date), unitPrice, customerId: '', country: 'UK' };
}

describe('Online Retail steps 1-4 on hand-made rows', () => {
  const rows = [
    row('10001a', '2011-01-03 09:00', 5, 2, 'RED CUP'), // lower-case suffix: product 10001A
    row('10001A', '2011-01-03 23:59', -7, 2, 'RED CUP', 'C2'), // same UTC day: 5 - 7 -> max(0, -2) = 0
    row('10001A', '2011-01-04 00:00', 3, 4, 'RED MUG'),
    row('10001A', '2011-01-06 10:00', 2, 3, 'RED CUP'),
    row('10001A', '2011-01-06 11:00', 1, 0, 'RED CUP'), // UnitPrice 0: dropped
    row('POST', '2011-01-03 10:00', 1, 18),
    row('1000', '2011-01-03 10:00', 1, 1), // four digits: not a product
    row('10002', '2011-01-05 10:00', -4, 1), // only a cancellation: never sells
  ];

  it('keeps product codes, upper-cases them, drops UnitPrice <= 0, sums by UTC day and clips at 0', async () => {
    const d = await buildRetail(rows);
    expect([...d.products.keys()].sort()).toEqual(['10001A', '10002']);
    expect(d.rowsKept).toBe(5);
    const p = d.products.get('10001A')!;
    const day = (iso: string) => p.demand[isoToDay(iso) - d.firstDay];
    expect(day('2011-01-03')).toBe(0);
    expect(day('2011-01-04')).toBe(3);
    expect(day('2011-01-05')).toBe(0);
    expect(day('2011-01-06')).toBe(2);
    expect(p.firstSaleDay).toBe(isoToDay('2011-01-04')); // the first day with demand > 0, not the first line
    expect(d.products.get('10002')!.firstSaleDay).toBe(-1);
  });

  it('listing text is the most frequent Description and price the median of sale lines, up to a date', async () => {
    const d = await buildRetail(rows);
    const p = d.products.get('10001A')!;
    expect(listingText(p, -Infinity, isoToDay('2011-01-06'))).toBe('RED CUP');
    expect(listingText(p, isoToDay('2011-01-04'), isoToDay('2011-01-04'))).toBe('RED MUG');
    // Sale lines (Quantity > 0): 2, 4, 3 -> median 3; the cancellation's price is not a sale.
    expect(medianPrice(p, -Infinity, isoToDay('2011-01-06'))).toBe(3);
    expect(medianPrice(p, -Infinity, isoToDay('2011-01-04'))).toBe(3); // 2 and 4
  });
});

describe('the bundled fixture', () => {
  it('loads its 115 products (120 codes, 5 with only zero prices) and keeps the raw rows readable', async () => {
    const d = await loadRetail(FIXTURE);
    expect(d.rowsRead).toBe(15185);
    expect(d.products.size).toBe(115);
    expect([...d.products.values()].every((p) => p.firstSaleDay >= 0)).toBe(true);
    expect(d.products.has('DCGSSGIRL')).toBe(false);
    let raw = 0;
    let cancellations = 0;
    for await (const r of readRetailRows(FIXTURE)) {
      raw++;
      if (r.invoiceNo.startsWith('C')) cancellations++;
    }
    expect(raw).toBe(15185);
    expect(cancellations).toBeGreaterThan(0);
  });

  it('names the bad value', async () => {
    await expect(buildRetail([{ ...row('10001', '2011-01-03 09:00', 1), time: NaN }])).rejects.toThrow(/row 1: InvoiceDate/);
    await expect(loadRetail(join(__dirname, 'missing.csv'))).rejects.toThrow(/missing\.csv: no such file/);
  });
});
