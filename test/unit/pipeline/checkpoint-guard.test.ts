import { CheckpointGuard, StateBehindError, type PartitionOffsets } from '../../../shared/adapters/kafka/checkpoint-guard';
import { PartitionLane } from '../../../shared/adapters/kafka/lane';
import type { OffsetCheckpoints } from '../../../shared/adapters/transport';
import type { Logger } from '../../../shared/log';

/**
 * The guard's decisions on a store of checkpoints kept in a Map with the same compare-and-set as
 * the Lua script (the real one is exercised against Redis in test/integration/state-loss.test.ts).
 */
function setup(opts: { committed?: string | null; earliest?: string } = {}) {
  const store = new Map<string, string>();
  const cp: OffsetCheckpoints = {
    read: async (t, p) => store.get(`${t}/${p}`) ?? null,
    advance: async (t, p, expected, next) => {
      const cur = store.get(`${t}/${p}`) ?? null;
      if (cur !== expected) return { ok: false, current: cur };
      store.set(`${t}/${p}`, next);
      return { ok: true };
    },
    onReconnect: () => {},
  };
  const offsets: PartitionOffsets = { earliest: async () => opts.earliest ?? '0', committed: async () => opts.committed ?? null };
  const lines: { level: string; msg: string; ctx?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, ctx?: Record<string, unknown>) => void lines.push({ level, msg, ctx });
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return { store, guard: new CheckpointGuard(cp, offsets, log), lines };
}

test('a new group on an empty store goes on, and each commit moves the checkpoint', async () => {
  const { store, guard, lines } = setup();
  expect(await guard.check('orders', 0, '0')).toBeNull();
  expect(await guard.advance('orders', 0, '50')).toBe(true);
  expect(await guard.advance('orders', 0, '120')).toBe(true);
  expect(store.get('orders/0')).toBe('120');
  expect(lines).toHaveLength(0);
});

test('a store that went back is not moved on: the chunk fails with where to consume again', async () => {
  const { store, guard } = setup();
  await guard.check('orders', 1, '0');
  await guard.advance('orders', 1, '200');
  store.set('orders/1', '120'); // a restart from an older snapshot
  const err = await guard.advance('orders', 1, '250').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(StateBehindError);
  expect((err as StateBehindError).seekTo).toBe('120');
  expect(store.get('orders/1')).toBe('120');
  // the partition is checked again at its next batch, which starts at the checkpoint: it goes on
  expect(await guard.advance('orders', 1, '300')).toBe(false);
  expect(await guard.check('orders', 1, '120')).toBeNull();
  expect(await guard.advance('orders', 1, '170')).toBe(true);
});

test('a store that came back empty is consumed again from the start of the log', async () => {
  const { store, guard } = setup({ earliest: '7' });
  await guard.check('orders', 0, '7');
  await guard.advance('orders', 0, '90');
  store.clear();
  const err = (await guard.advance('orders', 0, '95').catch((e: unknown) => e)) as StateBehindError;
  expect(err.seekTo).toBe('7');
  expect(err.checkpoint).toBeNull();
});

test('a checkpoint moved on by another member (a rebalance) is left alone and this chunk not committed', async () => {
  const { store, guard } = setup();
  await guard.check('orders', 0, '0');
  await guard.advance('orders', 0, '100');
  store.set('orders/0', '400');
  expect(await guard.advance('orders', 0, '150')).toBe(false);
  expect(store.get('orders/0')).toBe('400');
});

test('at assignment: a checkpoint behind the committed offset seeks back to it, once', async () => {
  const { store, guard, lines } = setup();
  store.set('orders/2', '50');
  expect(await guard.check('orders', 2, '200')).toBe('50');
  expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);
  expect(await guard.check('orders', 2, '50')).toBeNull();
  expect(await guard.check('orders', 2, '50')).toBeNull(); // checked: no second read
  expect(lines).toHaveLength(1);
});

test('no checkpoint but committed offsets: the store lost everything, so the log is consumed from its start', async () => {
  const { guard } = setup({ committed: '500', earliest: '0' });
  expect(await guard.check('orders', 0, '500')).toBe('0');
  expect(await guard.check('orders', 0, '0')).toBeNull();
});

test('a checkpoint older than what the log still holds: consumed from the log start, and the gap is an error', async () => {
  const { store, guard, lines } = setup({ earliest: '40' });
  store.set('orders/0', '10');
  expect(await guard.check('orders', 0, '200')).toBe('40');
  expect(await guard.check('orders', 0, '40')).toBeNull();
  expect(lines.map((l) => l.level)).toEqual(['warn', 'error']);
  expect(lines[1].ctx).toMatchObject({ checkpoint: '10', earliest: '40' });
});

test('verify (the connection is back) finds the partitions whose checkpoint went back, and only those', async () => {
  const { store, guard } = setup();
  for (const p of [0, 1, 2]) {
    await guard.check('orders', p, '0');
    await guard.advance('orders', p, '100');
  }
  expect(await guard.verify()).toEqual([]);
  store.set('orders/0', '60');
  store.delete('orders/2');
  store.set('orders/1', '180'); // moved on by another member: not a loss
  const found = await guard.verify();
  expect(found.map((b) => [b.partition, b.seekTo])).toEqual([[0, '60'], [2, '0']]);
});

test('after a rebalance (forgetAll) nothing is committed until the partition is checked again', async () => {
  const { store, guard } = setup();
  await guard.check('orders', 0, '0');
  await guard.advance('orders', 0, '100');
  guard.forgetAll();
  expect(await guard.advance('orders', 0, '150')).toBe(false);
  expect(store.get('orders/0')).toBe('100');
  expect(await guard.check('orders', 0, '100')).toBeNull();
  expect(await guard.advance('orders', 0, '150')).toBe(true);
});

test('an aborted lane commits neither its pending chunks nor the one that was running', async () => {
  const lane = new PartitionLane(true, async () => {});
  const committed: string[] = [];
  let release!: () => void;
  const running = new Promise<void>((r) => (release = r));
  lane.enqueue('0', () => running, async () => void committed.push('0'));
  lane.enqueue('10', async () => {}, async () => void committed.push('10'));
  lane.abort();
  lane.enqueue('20', async () => {}, async () => void committed.push('20'));
  release();
  await lane.drain();
  expect(committed).toEqual(['20']);
});
