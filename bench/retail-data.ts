/** The events the benchmarks replay: the development file of ../shared when present, else the bundled sample. */
import * as fs from 'fs';
import * as path from 'path';
import type { OrderEvent } from '../shared/domain/events';
import { readRetailRows } from '../shared/backtest/online-retail';
import { RetailEventBuilder, sortRows } from '../shared/replay/retail-events';
import { ROOT } from '../test/integration/support/services';

const DEV = path.resolve(ROOT, '../shared/data/online-retail/online_retail_dev.csv.gz');
const SAMPLE = path.join(ROOT, 'test/fixtures/online-retail/sample.csv');

export function retailFile(): string {
  return fs.existsSync(DEV) ? DEV : SAMPLE;
}

/** Listing and order events of a file, in event-time order, as the replayer publishes them. */
export async function retailEvents(file = retailFile()) {
  const rows = [];
  for await (const r of readRetailRows(file)) rows.push(r);
  const b = new RetailEventBuilder();
  return sortRows(rows).flatMap((r) => b.fromRow(r));
}

/** `n` order events: the file's, then repeated with fresh event ids; and the listing titles. */
export async function orderEvents(n: number): Promise<{ file: string; events: OrderEvent[]; titles: string[] }> {
  const file = retailFile();
  const all = await retailEvents(file);
  const base = all.filter((e) => e.kind === 'order').map((e) => e.event as OrderEvent);
  const titles = [...new Set(all.filter((e) => e.kind === 'listing').map((e) => (e.event as { title: string }).title))];
  const events: OrderEvent[] = [];
  for (let round = 0; events.length < n; round++) for (const e of base) if (events.length < n) events.push(round ? { ...e, eventId: `${e.eventId}#${round}` } : e);
  return { file, events, titles };
}
