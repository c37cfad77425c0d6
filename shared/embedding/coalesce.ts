import type { ModelEmbedder } from './embedder';
import type { OnnxRuntimeName } from './protocol';

/** A merged request stops growing once it holds this many texts (a single larger request still goes alone). */
export const MAX_MERGED_TEXTS = 1024;

interface Waiting {
  texts: string[];
  resolve: (v: Float32Array[]) => void;
  reject: (e: Error) => void;
}

/**
 * Keeps one request at a time with the model, and sends the requests that arrived meanwhile together,
 * as one. Why: a consumer works on several partitions at once, each handing over a chunk of texts,
 * and the model host sorts a request's texts by length before batching them, so one request of
 * three chunks pads far less than three requests of one chunk each. The model serves one request at
 * a time anyway, so a request that waits here would have waited there; results are the same, since
 * the fp32 model's vector for a text does not depend on its batch companions.
 * A merged request that fails is sent again caller by caller, so that one caller's bad text (or an
 * error the model gives on it) fails that caller only.
 */
export class CoalescingEmbedder implements ModelEmbedder {
  private busy = false;
  private readonly waiting: Waiting[] = [];

  constructor(private readonly inner: ModelEmbedder, private readonly maxMerged = MAX_MERGED_TEXTS) {}

  get modelId(): string { return this.inner.modelId; }
  get dim(): number { return this.inner.dim; }
  get runtime(): OnnxRuntimeName { return this.inner.runtime; }
  get pid(): number | undefined { return this.inner.pid; }
  get alive(): boolean { return this.inner.alive; }

  embed(texts: string[]): Promise<Float32Array[]> {
    // a malformed call gets the inner embedder's own error at once, without joining anyone's request
    if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string') || texts.length === 0 || !this.inner.alive) return this.inner.embed(texts);
    return new Promise((resolve, reject) => {
      this.waiting.push({ texts, resolve, reject });
      this.pump();
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private pump(): void {
    if (this.busy || this.waiting.length === 0) return;
    let n = 1;
    let size = this.waiting[0].texts.length;
    while (n < this.waiting.length && size + this.waiting[n].texts.length <= this.maxMerged) size += this.waiting[n++].texts.length;
    const group = this.waiting.splice(0, n);
    this.busy = true;
    const texts = group.length === 1 ? group[0].texts : group.flatMap((g) => g.texts);
    this.inner
      .embed(texts)
      .then(
        (vectors) => {
          let at = 0;
          for (const g of group) {
            g.resolve(vectors.slice(at, at + g.texts.length));
            at += g.texts.length;
          }
        },
        (err: Error) => {
          if (group.length === 1) group[0].reject(err);
          else for (const g of group) this.inner.embed(g.texts).then(g.resolve, g.reject);
        },
      )
      .finally(() => {
        this.busy = false;
        this.pump();
      });
  }
}
