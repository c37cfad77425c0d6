// The real sentence-embedding model (scripts/install-model.sh lays it out under models/).
import path from 'node:path';
import { cosine, createEmbedder, norm, type ModelEmbedder } from '../../shared/embedding';

jest.setTimeout(120000);

const modelDir = process.env.EMBEDDING_MODEL_DIR ?? path.join(__dirname, '../../models');
const modelId = 'Xenova/all-MiniLM-L6-v2';
const quiet = () => undefined;
const texts = [
  'WHITE HANGING HEART T-LIGHT HOLDER',
  'red retrospot cake stand',
  'Set of 6 vintage glass jars with lids, ideal for storing spices, sugar and coffee in a country kitchen',
  'alarm clock',
  'JUMBO BAG PINK POLKADOT',
  'wooden toy train set for toddlers, 24 pieces',
  'x',
  'Lunch box with cutlery, childrens dinosaur print',
  'PACK OF 72 RETROSPOT CAKE CASES',
  'hand warmer owl design',
];

let e: ModelEmbedder;
beforeAll(async () => {
  e = await createEmbedder({ modelId, modelDir, allowRemote: false, batchSize: 4, log: quiet });
});
afterAll(async () => {
  await e?.close();
});

test('loads on the native onnxruntime with 384 dimensions', () => {
  expect(e.modelId).toBe(modelId);
  expect(e.dim).toBe(384);
  expect(e.runtime).toBe('onnxruntime-node');
});

test('one unit-length vector per text, in input order', async () => {
  const v = await e.embed(texts);
  expect(v).toHaveLength(texts.length);
  for (const x of v) {
    expect(x).toBeInstanceOf(Float32Array);
    expect(x).toHaveLength(384);
    expect(Math.abs(norm(x) - 1)).toBeLessThan(1e-4);
  }
  const swapped = await e.embed([texts[3], texts[0]]);
  expect(cosine(swapped[0], v[3])).toBeGreaterThan(0.9999);
  expect(cosine(swapped[1], v[0])).toBeGreaterThan(0.9999);
});

test('batched vectors equal one-by-one vectors within 1e-4', async () => {
  const batched = await e.embed(texts); // 10 texts of mixed length in batches of 4
  for (let i = 0; i < texts.length; i++) {
    const [alone] = await e.embed([texts[i]]);
    let maxDiff = 0;
    for (let j = 0; j < e.dim; j++) maxDiff = Math.max(maxDiff, Math.abs(alone[j] - batched[i][j]));
    expect(maxDiff).toBeLessThan(1e-4);
  }
});

test('paraphrases are closer than unrelated texts', async () => {
  const [shoes, sneakers, kettle, mug, teaCup] = await e.embed([
    'red running shoes for men',
    'crimson jogging sneakers for male runners',
    'stainless steel electric kettle 1.7 litre',
    'ceramic coffee mug with handle',
    'porcelain tea cup',
  ]);
  expect(cosine(shoes, sneakers)).toBeGreaterThan(cosine(shoes, kettle) + 0.3);
  expect(cosine(mug, teaCup)).toBeGreaterThan(cosine(mug, shoes));
  expect(cosine(mug, teaCup)).toBeGreaterThan(cosine(teaCup, sneakers));
});

test('an empty string gives a finite unit vector', async () => {
  const [empty, other] = await e.embed(['', 'garden hose']);
  expect(empty.every(Number.isFinite)).toBe(true);
  expect(Math.abs(norm(empty) - 1)).toBeLessThan(1e-4);
  expect(cosine(empty, other)).toBeLessThan(0.99);
});

test('a very long text is truncated: words past the limit do not change its vector', async () => {
  const long = 'handmade ceramic vase with blue glaze and gold rim. '.repeat(400); // ~20k chars, >> 256 tokens
  const [a, b, vase, oil] = await e.embed([long, long + ' completely different ending about motorbikes', 'ceramic vase', 'motorbike engine oil']);
  expect(Math.abs(norm(a) - 1)).toBeLessThan(1e-4);
  expect(cosine(a, b)).toBeGreaterThan(0.99999);
  expect(cosine(a, vase)).toBeGreaterThan(cosine(a, oil) + 0.2); // and it still means what it says
});

test('concurrent calls each get their own answer', async () => {
  const [x, y] = await Promise.all([e.embed([texts[1], texts[2]]), e.embed([texts[4]])]);
  const ref = await e.embed([texts[1], texts[2], texts[4]]);
  expect(cosine(x[0], ref[0])).toBeGreaterThan(0.9999);
  expect(cosine(x[1], ref[1])).toBeGreaterThan(0.9999);
  expect(cosine(y[0], ref[2])).toBeGreaterThan(0.9999);
});

test('rejects a non-string text, naming its index', async () => {
  await expect(e.embed(['ok', 42 as unknown as string])).rejects.toThrow(/texts\[1\]/);
  expect(await e.embed([])).toEqual([]);
});

test('the quantized graph and the wasm runtime load and agree with the fp32 native model', async () => {
  const [ref] = await e.embed([texts[2]]);
  const q = await createEmbedder({ modelId, modelDir, allowRemote: false, batchSize: 8, quantized: true, log: quiet });
  const w = await createEmbedder({ modelId, modelDir, allowRemote: false, batchSize: 8, runtime: 'wasm', log: quiet });
  try {
    expect(w.runtime).toBe('onnxruntime-web-wasm');
    const [vq] = await q.embed([texts[2]]);
    const [vw] = await w.embed([texts[2]]);
    expect(cosine(vq, ref)).toBeGreaterThan(0.95);
    expect(cosine(vq, ref)).toBeLessThan(0.99999); // really a different graph
    expect(cosine(vw, ref)).toBeGreaterThan(0.9999);
  } finally {
    await q.close();
    await w.close();
  }
});

test('after close, embed fails clearly', async () => {
  const tmp = await createEmbedder({ modelId, modelDir, allowRemote: false, batchSize: 8, log: quiet });
  await tmp.close();
  await expect(tmp.embed(['anything'])).rejects.toThrow(/closed/);
});

test('the Chinese model (bge-small-zh-v1.5, CLS pooling) separates topics', async () => {
  const zh = await createEmbedder({ modelId: 'Xenova/bge-small-zh-v1.5', modelDir, allowRemote: false, batchSize: 8, quantized: true, pooling: 'cls', log: quiet });
  try {
    expect(zh.dim).toBe(512);
    const [hotel1, hotel2, phone, shampoo] = await zh.embed([
      '这家酒店的房间很干净，服务员态度也很好',
      '酒店服务周到，房间整洁舒适',
      '手机电池不耐用，充电特别慢',
      '这款洗发水味道很香，洗完头发很顺滑',
    ]);
    for (const x of [hotel1, hotel2, phone, shampoo]) expect(Math.abs(norm(x) - 1)).toBeLessThan(1e-4);
    expect(cosine(hotel1, hotel2)).toBeGreaterThan(cosine(hotel1, phone) + 0.1);
    expect(cosine(hotel1, hotel2)).toBeGreaterThan(cosine(hotel2, shampoo) + 0.1);
    // CLS and mean pooling are different functions of the same token vectors.
    const mean = await createEmbedder({ modelId: 'Xenova/bge-small-zh-v1.5', modelDir, allowRemote: false, batchSize: 8, quantized: true, pooling: 'mean', log: quiet });
    const [hotelMean] = await mean.embed(['这家酒店的房间很干净，服务员态度也很好']);
    await mean.close();
    expect(cosine(hotelMean, hotel1)).toBeLessThan(0.999);
  } finally {
    await zh.close();
  }
});
