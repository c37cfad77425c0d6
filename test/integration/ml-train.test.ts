/**
 * The train command end to end as a process: the bundled Online Retail fixture in, a versioned
 * artifact out, which loadLatest turns back into a model that forecasts established and new products.
 */
import { execFile } from 'child_process';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { loadLatest } from '../../shared/ml/artifact';
import { initBackend } from '../../shared/ml/backend';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');

describe('services/train', () => {
  let out: string;
  beforeAll(async () => {
    out = await fs.mkdtemp(path.join(os.tmpdir(), 'tc-train-'));
  });
  afterAll(() => fs.rm(out, { recursive: true, force: true }));

  it('trains on the fixture and writes an artifact the worker can load', async () => {
    const data = path.join(ROOT, 'test', 'fixtures', 'online-retail', 'sample.csv');
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    const { stdout, stderr } = await run(tsx, ['services/train/main.ts', '--data', data, '--out', out, '--origin', '2011-11-06', '--epochs', '1', '--no-text', '--no-progress'], {
      cwd: ROOT,
      env: { ...process.env, TFJS_BACKEND: 'wasm', LOG_LEVEL: 'info' },
      maxBuffer: 1 << 24,
    });
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result.model).toBe('lstm_notext');
    expect(result.products).toBeGreaterThan(50);
    expect(stderr).toContain('"msg":"tfjs backend selected"');
    expect(stderr).toContain('"backend":"wasm"');

    await initBackend('wasm');
    const loaded = (await loadLatest(out, 'lstm_notext'))!;
    expect(loaded.version).toBe(result.version);
    expect(loaded.metadata.run).toMatchObject({ origin: '2011-11-06', trainingWindow: { to: '2011-11-06' } });
    expect(loaded.metadata.lstm.validation!.established.products).toBeGreaterThan(20);
    const day = Date.UTC(2011, 10, 7);
    const f = await loaded.model.forecast([
      { sku: 'X', history: [5, 0, 3, 8, 0, 0, 4, 6, 2, 0, 5, 7, 0, 0], startTime: day - 14 * 86_400_000, bucketMs: 86_400_000, price: 2.5 },
      { sku: 'NEW', history: [], startTime: day, bucketMs: 86_400_000, price: 1.25 },
    ], 28);
    expect(f).toHaveLength(2);
    for (const q of f) {
      expect(q.p50).toHaveLength(28);
      expect(q.p90.every((v, h) => v >= q.p50[h] && q.p50[h] >= q.p10[h] && q.p10[h] >= 0)).toBe(true);
    }
    loaded.model.dispose();
  });

  it('rejects a bad argument with a message naming it', async () => {
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    await expect(run(tsx, ['services/train/main.ts', '--epochs', 'many'], { cwd: ROOT })).rejects.toMatchObject({ stderr: expect.stringContaining('--epochs must be a non-negative integer') });
    await expect(run(tsx, ['services/train/main.ts'], { cwd: ROOT, env: { ...process.env, TFJS_BACKEND: 'tpu' } })).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('TFJS_BACKEND') });
  });
});
