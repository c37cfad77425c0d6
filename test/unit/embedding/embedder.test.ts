import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cosine, createEmbedder, norm } from '../../../shared/embedding';

describe('cosine and norm', () => {
  test('cosine is 1 for parallel, -1 for opposite, 0 for orthogonal vectors', () => {
    expect(cosine([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(cosine([1, 2, 3], [-1, -2, -3])).toBeCloseTo(-1, 12);
    expect(cosine([1, 0], [0, 5])).toBe(0);
  });
  test('cosine is scale-invariant and symmetric', () => {
    const a = Float32Array.from([0.3, -1.2, 4, 0.01]);
    const b = Float32Array.from([2, 0.5, -0.7, 3]);
    expect(cosine(a, b)).toBeCloseTo(cosine(b, a), 12);
    expect(cosine(a.map((x) => x * 7), b)).toBeCloseTo(cosine(a, b), 6);
    expect(cosine(a, b)).toBeCloseTo(-2.77 / (norm(a) * norm(b)), 5);
  });
  test('a zero vector gives 0, a length mismatch throws', () => {
    expect(cosine([0, 0], [1, 1])).toBe(0);
    expect(() => cosine([1, 2], [1, 2, 3])).toThrow(/length mismatch 2 vs 3/);
  });
  test('norm', () => {
    expect(norm([3, 4])).toBe(5);
    expect(norm([])).toBe(0);
  });
});

describe('createEmbedder option checks (no model needed)', () => {
  const base = { modelId: 'Xenova/all-MiniLM-L6-v2', modelDir: 'models', allowRemote: false, batchSize: 8 };
  test.each([0, -1, 2.5, NaN])('batchSize %p is refused, naming the option', async (batchSize) => {
    await expect(createEmbedder({ ...base, batchSize })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/batchSize/) });
  });
  test('an empty modelId is refused', async () => {
    await expect(createEmbedder({ ...base, modelId: ' ' })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/modelId/) });
  });
  test('an unknown runtime is refused', async () => {
    await expect(createEmbedder({ ...base, runtime: 'gpu' as 'wasm' })).rejects.toThrow(/runtime/);
  });
  test('an unknown pooling is refused', async () => {
    await expect(createEmbedder({ ...base, pooling: 'max' as 'cls' })).rejects.toThrow(/pooling must be 'mean' or 'cls', got max/);
  });

  test('a missing model folder names the folder, the missing files and the install script', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'emb-'));
    try {
      const err = (await createEmbedder({ ...base, modelDir: dir }).catch((e: unknown) => e)) as Error & { code: string };
      expect(err).toMatchObject({ code: 'MODEL_UNAVAILABLE' });
      expect(err.message).toContain(path.join(dir, 'Xenova/all-MiniLM-L6-v2'));
      expect(err.message).toContain('onnx/model.onnx');
      expect(err.message).toContain('scripts/install-model.sh');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a partial folder lists only what is missing (the quantized file when quantized)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'emb-'));
    try {
      const folder = path.join(dir, 'Xenova/all-MiniLM-L6-v2');
      mkdirSync(path.join(folder, 'onnx'), { recursive: true });
      for (const f of ['config.json', 'tokenizer.json', 'onnx/model.onnx']) writeFileSync(path.join(folder, f), '{}');
      const err = (await createEmbedder({ ...base, modelDir: dir, quantized: true }).catch((e: unknown) => e)) as Error;
      expect(err.message).toMatch(/missing tokenizer_config\.json, onnx\/model_quantized\.onnx;/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
