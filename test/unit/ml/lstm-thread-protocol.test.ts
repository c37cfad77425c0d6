import { MessageChannel } from 'worker_threads';
import type { SeriesInput } from '../../../shared/forecasting/model';
import { packInputs, transferOf, unpackInputs, type PackedInputs } from '../../../shared/ml/lstm-thread-protocol';

const DAY = 86_400_000;

/** Sends `p` through a real MessagePort with its buffers transferred, as LstmThread does. */
function sendThrough(p: PackedInputs): Promise<PackedInputs> {
  const { port1, port2 } = new MessageChannel();
  return new Promise((resolve) => {
    port2.once('message', (m: PackedInputs) => {
      port1.close();
      port2.close();
      resolve(m);
    });
    port1.postMessage(p, transferOf(p));
  });
}

describe('forecast request inputs, packed for the LSTM thread', () => {
  const whole = Float64Array.from({ length: 100 }, (_, i) => i % 7);
  const embeddings = Float32Array.from({ length: 3 * 4 }, (_, i) => i / 10);
  const batch: SeriesInput[] = [
    // views into larger buffers: the ensemble's validation cut, embeddings in one Redis reply
    { sku: 'a', history: whole.subarray(10, 40), startTime: 3 * DAY, bucketMs: DAY, price: 2.5, embedding: embeddings.subarray(4, 8), reviews: { count: 3, ratingMean: 4.2, embedding: embeddings.subarray(0, 4) } as SeriesInput['reviews'] },
    { sku: 'b', history: [1, 0, 2, 0.25] as unknown as Float64Array, startTime: 0, bucketMs: DAY },
    { sku: 'c', history: new Float64Array(0), startTime: 7 * DAY, bucketMs: DAY, price: 9, embedding: embeddings.subarray(8, 12) },
    { sku: 'd', history: Float32Array.from([0.5, 3]) as unknown as Float64Array, startTime: DAY, bucketMs: DAY },
  ];

  test('arrive equal in every field the LSTM reads, and the caller keeps its own arrays', async () => {
    const got = unpackInputs(await sendThrough(packInputs(batch)));
    expect(got.map((t) => t.sku)).toEqual(['a', 'b', 'c', 'd']);
    got.forEach((t, i) => {
      const s = batch[i];
      expect([t.sku, Array.from(t.history)]).toEqual([s.sku, Array.from(s.history as ArrayLike<number>)]);
      expect([t.startTime, t.bucketMs, t.price]).toEqual([s.startTime, s.bucketMs, s.price]);
      expect(t.embedding ? Array.from(t.embedding) : undefined).toEqual(s.embedding ? Array.from(s.embedding) : undefined);
      expect(t.reviews).toEqual(s.reviews ? { count: s.reviews.count, ratingMean: s.reviews.ratingMean } : undefined);
      expect(Object.prototype.toString.call(t.history)).toBe('[object Float64Array]'); // (jest's realm has its own Float64Array)
    });
    // exact doubles (a Float32 history widens exactly)
    expect(got[1].history[3]).toBe(0.25);
    // only the packed copies moved: the inputs' buffers are intact
    expect(whole.byteLength).toBe(800);
    expect(embeddings.byteLength).toBe(48);
    expect(Array.from(batch[0].history as Float64Array)).toEqual(Array.from(whole.subarray(10, 40)));
  });

  test('two arrays in all, whatever the batch size, and the buffers really move', async () => {
    const p = packInputs(batch);
    expect(p.histories.length).toBe(30 + 4 + 0 + 2);
    expect(p.embeddings.length).toBe(8);
    const before = transferOf(p);
    await sendThrough(p);
    expect(before.map((b) => b.byteLength)).toEqual([0, 0]); // detached in the sender
  });

  test('an empty batch', async () => {
    expect(unpackInputs(await sendThrough(packInputs([])))).toEqual([]);
  });
});
