/**
 * Run as its own process by lstm-thread.test.ts: a process whose only pending work is a forecast on
 * the LSTM thread must wait for the answer, print it and then exit by itself.
 *   tsx thread-exit.ts <artifact version dir>
 */
import * as path from 'path';
import { LstmThread } from '../../../../shared/ml/lstm-thread';

async function main(dir: string) {
  const t = new LstmThread('wasm');
  await t.load(dir, path.basename(dir));
  const f = await t.forecast(path.basename(dir), [{ sku: 'x', history: Float64Array.from([1, 2, 0, 3, 1, 0, 2, 4]), startTime: 0, bucketMs: 86_400_000 }], 7);
  process.stdout.write(`${JSON.stringify(f[0].p50.length)}\n`);
}
void main(process.argv[2]);
