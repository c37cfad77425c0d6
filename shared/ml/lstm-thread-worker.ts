/**
 * The worker-thread side of LstmThread (lstm-thread.ts): its own tfjs backend and its own copies of
 * the artifact versions it is told to load; answers forecast requests with the forecasts packed in
 * one Float64Array (transferred, not copied). One request at a time, in arrival order.
 */
import * as path from 'path';
import { parentPort, workerData } from 'worker_threads';
import type { SeriesInput } from '../forecasting/model';
import { loadVersion } from './artifact';
import { initBackend } from './backend';
import type { GlobalLstmModel } from './lstm';
import { packForecasts, unpackInputs, type ThreadReply, type ThreadRequest } from './lstm-thread-protocol';

const port = parentPort!;
const models = new Map<string, GlobalLstmModel>();
const ready = initBackend((workerData as { backend: string }).backend);
ready.catch(() => undefined); // seen by every request, which awaits it and answers with the error

async function handle(m: ThreadRequest): Promise<Extract<ThreadReply, { ok: true }>> {
  await ready;
  if (m.kind === 'load') {
    if (!models.has(m.version)) models.set(m.version, (await loadVersion(path.dirname(m.dir), path.basename(m.dir))).model);
    return { id: m.id, ok: true };
  }
  if (m.kind === 'drop') {
    models.get(m.version)?.dispose();
    models.delete(m.version);
    return { id: m.id, ok: true };
  }
  const model = models.get(m.version);
  if (!model) throw new Error(`lstm thread: version ${m.version} is not loaded`);
  const out = await model.forecast(unpackInputs(m.inputs) as SeriesInput[], m.horizon);
  return { id: m.id, ok: true, packed: packForecasts(out, m.horizon) };
}

let queue = Promise.resolve();
port.on('message', (m: ThreadRequest) => {
  queue = queue.then(() => handle(m)).then(
    (reply) => port.postMessage(reply, reply.packed ? [reply.packed.buffer as ArrayBuffer] : []),
    (err: unknown) => port.postMessage({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies ThreadReply),
  );
});
