import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../shared/ml/backend';
import { GlobalLstmModel } from '../../../shared/ml/lstm';
import { ArtifactWatcher, FileIOHandler, LoadedArtifact, listVersions, loadLatest, saveArtifact } from '../../../shared/ml/artifact';
import { inputAt, synthProducts } from './synthetic';

const START = 15000;
const ORIGIN = START + 120 - 1;
const tiny = { lookback: 14, hidden: 8, dense: 16, epochs: 1, samplesPerEpoch: 512, batchSize: 128, textDims: 4, validate: false };
let root: string;
const products = synthProducts(60, 120, START, 5, 16);
const inputs = products.filter((p) => p.firstDay <= ORIGIN).map((p) => inputAt(p, ORIGIN, true, true));

async function trained(seed: number): Promise<GlobalLstmModel> {
  const m = new GlobalLstmModel({ ...tiny, seed });
  await m.fit(inputs, { horizon: 14 });
  return m;
}

beforeAll(async () => {
  await initBackend('wasm');
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tc-artifacts-'));
});
afterAll(() => fs.rm(root, { recursive: true, force: true }));

describe('model artifacts', () => {
  it('FileIOHandler writes model.json + weights.bin that tfjs decodes back bit for bit', async () => {
    const dir = path.join(root, 'io');
    const w = { a: tf.tensor2d([[1.5, -2], [3, 4.25]]), b: tf.tensor1d([7, 8, 9]) };
    const { data, specs } = await tf.io.encodeWeights(w);
    await new FileIOHandler(dir).save({ format: 'test', modelTopology: { x: 1 }, weightSpecs: specs, weightData: data });
    const json = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);
    const back = await new FileIOHandler(dir).load();
    const t = tf.io.decodeWeights(back.weightData!, back.weightSpecs!);
    expect(Array.from(await t.a.data())).toEqual([1.5, -2, 3, 4.25]);
    expect(Array.from(await t.b.data())).toEqual([7, 8, 9]);
  });

  it('save -> loadLatest gives identical predictions and the metadata', async () => {
    const m = await trained(1);
    const { version, dir } = await saveArtifact(m, root, { origin: '2011-01-01' });
    expect(dir).toBe(path.join(root, 'lstm', version));
    const files = (await fs.readdir(dir)).sort();
    expect(files).toEqual(['metadata.json', 'model.json', 'weights.bin']);
    const loaded = (await loadLatest(root, 'lstm'))!;
    expect(loaded.version).toBe(version);
    expect(loaded.metadata.tfjs.backend).toBe('wasm');
    expect(loaded.metadata.run).toEqual({ origin: '2011-01-01' });
    expect(loaded.metadata.lstm.scalers.pca!.components).toHaveLength(4);
    const a = await m.forecast(inputs, 14);
    const b = await loaded.model.forecast(inputs, 14);
    expect(b).toEqual(a);
    // Cold start goes through the same path.
    const cold = [{ ...inputs[0], history: [] as number[], startTime: (ORIGIN + 1) * 86_400_000 }];
    expect(await loaded.model.forecast(cold, 14)).toEqual(await m.forecast(cold, 14));
    m.dispose();
    loaded.model.dispose();
  });

  it('loadLatest is undefined for a missing folder and ignores half-written versions', async () => {
    expect(await loadLatest(path.join(root, 'nothing-here'))).toBeUndefined();
    await fs.mkdir(path.join(root, 'lstm', '29990101T000000000Z'), { recursive: true }); // no metadata.json yet
    const vs = await listVersions(path.join(root, 'lstm'));
    expect(vs).not.toContain('29990101T000000000Z');
  });

  it('the watcher swaps in a new version without restart', async () => {
    const seen: LoadedArtifact[] = [];
    const w = new ArtifactWatcher({ dir: root, name: 'lstm', intervalMs: 50, onNewVersion: (l) => void seen.push(l) });
    await w.start();
    expect(seen).toHaveLength(1);
    const first = seen[0].version;
    const m2 = await trained(2);
    const { version } = await saveArtifact(m2, root, undefined, new Date(Date.now() + 1000));
    const t0 = Date.now();
    while (seen.length < 2 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    await w.stop();
    expect(seen.map((s) => s.version)).toEqual([first, version]);
    expect(w.latest!.version).toBe(version);
    expect(await w.latest!.model.forecast(inputs.slice(0, 3), 14)).toEqual(await m2.forecast(inputs.slice(0, 3), 14));
    expect(() => new ArtifactWatcher({ dir: root, intervalMs: 0, onNewVersion: () => undefined })).toThrow(/intervalMs/);
    for (const s of seen) s.model.dispose();
    m2.dispose();
  });
});
