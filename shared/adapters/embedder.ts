import type { Registry } from 'prom-client';
import { TrendcastError } from '../errors';
import type { Logger } from '../log';
import { SupervisedEmbedder, type Embedder } from '../embedding';
import { embeddingMetrics } from '../observability/metrics';

export interface EmbedderConfig {
  EMBEDDING_MODEL_ID: string;
  EMBEDDING_MODEL_DIR: string;
  EMBEDDING_ALLOW_REMOTE: boolean;
  EMBEDDING_BATCH_SIZE: number;
  EMBEDDING_QUANTIZED: boolean;
}

/**
 * Loads the sentence-embedding model named by config (its process restarted if it dies:
 * SupervisedEmbedder), timing every call into the registry.
 */
export async function loadEmbedder(c: EmbedderConfig, log: Logger, registry?: Registry): Promise<Embedder> {
  const m = registry && embeddingMetrics(registry);
  let inner: SupervisedEmbedder;
  try {
    inner = await SupervisedEmbedder.create({
      modelId: c.EMBEDDING_MODEL_ID, modelDir: c.EMBEDDING_MODEL_DIR, allowRemote: c.EMBEDDING_ALLOW_REMOTE, batchSize: c.EMBEDDING_BATCH_SIZE, quantized: c.EMBEDDING_QUANTIZED,
      log: (msg, ctx) => log.info(msg, ctx),
    }, () => m?.restarts.inc());
  } catch (err) {
    throw new TrendcastError('MODEL_UNAVAILABLE', `cannot load embedding model ${c.EMBEDDING_MODEL_ID}: ${(err as Error).message}`, { cause: err });
  }
  if (!m) return inner;
  return {
    modelId: inner.modelId,
    dim: inner.dim,
    embed: async (texts) => {
      if (texts.length === 0) return [];
      m.batchSize.observe(texts.length);
      const end = m.latency.startTimer();
      try {
        return await inner.embed(texts);
      } finally {
        end();
      }
    },
  };
}
