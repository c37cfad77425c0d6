import * as tf from '@tensorflow/tfjs';
import { initBackend, parseBackendChoice, currentBackend } from '../../../shared/ml/backend';
import { ConfigError } from '../../../shared/errors';

const installed = (pkg: string): boolean => {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
};

describe('tfjs backend selection', () => {
  it('rejects a bad TFJS_BACKEND value, naming the variable', () => {
    expect(() => parseBackendChoice('tpu')).toThrow(ConfigError);
    expect(() => parseBackendChoice('tpu')).toThrow(/TFJS_BACKEND/);
    expect(parseBackendChoice(undefined)).toBe('auto');
    expect(parseBackendChoice(' WASM ')).toBe('wasm');
  });

  it('auto falls back to wasm (SIMD) when no native package is installed, and logs the choice', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = { info: (msg: string, ctx?: Record<string, unknown>) => lines.push({ msg, ...ctx }) } as never;
    const info = await initBackend(undefined, log);
    if (installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node')) {
      expect(info.backend).toBe('tensorflow');
    } else {
      expect(info).toMatchObject({ requested: 'auto', backend: 'wasm', pkg: '@tensorflow/tfjs-backend-wasm', simd: true, threads: 1 });
      expect(tf.getBackend()).toBe('wasm');
    }
    expect(lines[0]).toMatchObject({ msg: 'tfjs backend selected', backend: info.backend });
    expect(currentBackend()).toEqual(info);
    // The backend really computes: a small matmul on it.
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(await y.data())).toEqual([11]);
  });

  it('an explicit native choice without the package fails with the install command', async () => {
    if (installed('@tensorflow/tfjs-node')) return;
    await expect(initBackend('native')).rejects.toThrow(/TFJS_BACKEND.*npm install @tensorflow\/tfjs-node@/);
    await expect(initBackend('gpu')).rejects.toThrow(/tfjs-node-gpu/);
  });

  it('cpu can be forced', async () => {
    const info = await initBackend('cpu');
    expect(info.backend).toBe('cpu');
    await initBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });
});
