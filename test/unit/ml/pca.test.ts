import { fitPca, projectInto, type Pca } from '../../../shared/ml/pca';
import { gaussian, mulberry32 } from '../../../shared/forecasting/series';

const normal = gaussian(mulberry32(99));
const vec = (d: number) => Float32Array.from({ length: d }, () => normal());

/** The definition: component j = sum over i, in index order, of (e[i] - mean[i]) * v_j[i], over scale j. */
function reference(p: Pca, e: Float32Array): number[] {
  return p.components.map((v, j) => {
    let s = 0;
    for (let i = 0; i < p.dim; i++) s += (e[i] - p.mean[i]) * v[i];
    return Math.fround(s / p.scale[j]);
  });
}

describe('PCA projection of listing embeddings', () => {
  it('projectInto: the definition exactly, for 4-component blocks and a remainder, at any offset and stride', () => {
    const train = Array.from({ length: 60 }, () => vec(24));
    for (const k of [12, 5, 3]) {
      const p = fitPca(train, k, 1);
      expect(p.k).toBe(k);
      for (let t = 0; t < 20; t++) {
        const e = vec(24);
        const out = new Float32Array(3 + k * 7).fill(NaN);
        projectInto(p, e, out, 3, 7);
        expect(Array.from({ length: k }, (_, j) => out[3 + j * 7])).toEqual(reference(p, e));
      }
    }
  });

  it('a missing embedding gives zeros; one of another dimension is refused with both sizes', () => {
    const p = fitPca(Array.from({ length: 30 }, () => vec(8)), 6, 1);
    const out = new Float32Array(6).fill(5);
    projectInto(p, undefined, out, 0);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() => projectInto(p, vec(9), out, 0)).toThrow(/embedding has 9 dims, the model was trained on 8/);
  });
});
