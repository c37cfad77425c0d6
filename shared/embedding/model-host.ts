/**
 * Model host: a child process that owns the transformers.js pipeline. Why a process:
 * - onnxruntime-node 1.14 runs a session synchronously on the calling thread, so a batch would stall
 *   a consumer's event loop (Kafka heartbeats, Redis replies);
 * - its native addon loads once per process only ("Module did not self-register" in a second worker
 *   thread), so threads cannot give each embedder (or each jest test file) its own copy;
 * - transformers.js is ESM-only, which jest's CommonJS sandbox cannot load; a child uses Node's loader.
 */
import type { EmbedRequest, OnnxRuntimeName, HostInit, HostReply } from './protocol';

type Extractor = (texts: string[], o: { pooling: 'mean' | 'cls'; normalize: boolean }) => Promise<{ data: Float32Array; dims: number[] }>;

if (!process.send) throw new Error('shared/embedding/model-host.ts must run as a child process with IPC');
const init = JSON.parse(process.argv[2] ?? '{}') as HostInit;
const send = (m: HostReply) => process.send!(m);
// The parent went away (exit, crash, close()): nothing left to serve.
process.on('disconnect', () => process.exit(0));

async function loadExtractor(): Promise<{ extractor: Extractor; runtime: OnnxRuntimeName }> {
  const t = await import('@xenova/transformers');
  t.env.localModelPath = init.modelDir;
  t.env.allowLocalModels = true;
  t.env.allowRemoteModels = init.allowRemote;
  if (init.runtime === 'wasm') {
    // transformers.js tries execution providers in this exported list's order ('cpu' = native first).
    const backend = await import('@xenova/transformers/src/backends/onnx.js' as string);
    backend.executionProviders.splice(0, backend.executionProviders.length, 'wasm');
  }
  const pipe = await t.pipeline('feature-extraction', init.modelId, { quantized: init.quantized });
  return { extractor: pipe as unknown as Extractor, runtime: runtimeOf(pipe) };
}

// The session handler's class tells which backend onnxruntime-common resolved. In Node the only other
// backend registered (by onnxruntime-web, whose bundle minifies class names) is its WebAssembly one.
function runtimeOf(pipe: unknown): OnnxRuntimeName {
  const handler = (pipe as { model?: { session?: { handler?: object } } }).model?.session?.handler;
  if (!handler) return 'unknown';
  return handler.constructor?.name === 'OnnxruntimeSessionHandler' ? 'onnxruntime-node' : 'onnxruntime-web-wasm';
}

// Batches pad to their longest text, so texts go through in length order (by characters, a cheap
// proxy for tokens) and come back in input order. The fp32 model's output for a text does not depend
// on its batch companions (attention masks the padding), so the order changes only the speed.
async function embedAll(extractor: Extractor, texts: string[], dim: number): Promise<Float32Array> {
  const order = texts.map((_, i) => i).sort((a, b) => texts[a].length - texts[b].length);
  const out = new Float32Array(texts.length * dim);
  for (let start = 0; start < order.length; start += init.batchSize) {
    const idx = order.slice(start, start + init.batchSize);
    const t = await extractor(idx.map((i) => texts[i]), { pooling: init.pooling, normalize: true });
    idx.forEach((i, k) => out.set(t.data.subarray(k * dim, (k + 1) * dim), i * dim));
  }
  return out;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const { extractor, runtime } = await loadExtractor();
  // One probe call: proves the runtime really executes the graph and tells the output width.
  const probe = await extractor(['start-up check'], { pooling: init.pooling, normalize: true });
  const dim = probe.dims[probe.dims.length - 1];
  send({ kind: 'ready', runtime, dim, loadMs: Math.round(performance.now() - t0) });
  // Requests are served one at a time, in arrival order: the model is single-session anyway.
  let queue = Promise.resolve();
  process.on('message', (req: EmbedRequest) => {
    queue = queue.then(async () => {
      try {
        const data = await embedAll(extractor, req.texts, dim);
        send({ kind: 'result', id: req.id, dim, data });
      } catch (err) {
        send({ kind: 'error', id: req.id, message: (err as Error)?.message ?? String(err) });
      }
    });
  });
}

main().catch((err: unknown) => {
  const m: HostReply = { kind: 'error', id: null, message: (err as Error)?.message ?? String(err) };
  process.send!(m, () => process.exit(1));
});
