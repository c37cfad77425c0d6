import { CoalescingEmbedder } from '../../../shared/embedding/coalesce';
import type { ModelEmbedder } from '../../../shared/embedding/embedder';

/** A model that answers when told to, with one vector per text: [length of the text, index in its request]. */
class HeldModel implements ModelEmbedder {
  readonly modelId = 'held';
  readonly dim = 2;
  readonly runtime = 'onnxruntime-node' as const;
  readonly pid = undefined;
  alive = true;
  readonly calls: string[][] = [];
  private readonly open: { texts: string[]; resolve: (v: Float32Array[]) => void; reject: (e: Error) => void }[] = [];

  embed(texts: string[]): Promise<Float32Array[]> {
    this.calls.push(texts);
    return new Promise((resolve, reject) => this.open.push({ texts, resolve, reject }));
  }

  /** Answers the oldest open request; fails it if one of its texts is 'bad'. */
  answer(): void {
    const r = this.open.shift()!;
    if (r.texts.includes('bad')) r.reject(new Error('the model refuses "bad"'));
    else r.resolve(r.texts.map((t, i) => Float32Array.from([t.length, i])));
  }

  async close(): Promise<void> {}
}

const tick = () => new Promise((r) => setImmediate(r));

describe('CoalescingEmbedder', () => {
  it('sends the requests that arrive while one is with the model together, and gives each caller its own vectors', async () => {
    const model = new HeldModel();
    const e = new CoalescingEmbedder(model);
    const a = e.embed(['a1']);
    const b = e.embed(['bb1', 'bb2']);
    const c = e.embed(['ccc1']);
    expect(model.calls).toEqual([['a1']]);
    model.answer();
    await tick();
    // b and c went as one request once a's came back
    expect(model.calls).toEqual([['a1'], ['bb1', 'bb2', 'ccc1']]);
    model.answer();
    expect((await a).map((v) => Array.from(v))).toEqual([[2, 0]]);
    expect((await b).map((v) => Array.from(v))).toEqual([[3, 0], [3, 1]]);
    expect((await c).map((v) => Array.from(v))).toEqual([[4, 2]]);
  });

  it('stops a merged request at the cap; the rest go in the next one', async () => {
    const model = new HeldModel();
    const e = new CoalescingEmbedder(model, 3);
    const first = e.embed(['x']);
    const rest = [e.embed(['a', 'b']), e.embed(['c']), e.embed(['d', 'e'])];
    model.answer();
    await tick();
    expect(model.calls[1]).toEqual(['a', 'b', 'c']);
    model.answer();
    await tick();
    expect(model.calls[2]).toEqual(['d', 'e']);
    model.answer();
    await Promise.all([first, ...rest]);
  });

  it('a merged request that fails is sent again caller by caller: only the caller with the bad text fails', async () => {
    const model = new HeldModel();
    const e = new CoalescingEmbedder(model);
    const first = e.embed(['ok0']);
    const good = e.embed(['ok1', 'ok2']);
    const poisoned = e.embed(['bad']);
    model.answer();
    await tick();
    expect(model.calls[1]).toEqual(['ok1', 'ok2', 'bad']);
    model.answer(); // the merged one fails
    await tick();
    expect(model.calls.slice(2)).toEqual([['ok1', 'ok2'], ['bad']]);
    model.answer();
    model.answer();
    await first;
    expect((await good).map((v) => Array.from(v))).toEqual([[3, 0], [3, 1]]);
    await expect(poisoned).rejects.toThrow('the model refuses "bad"');
  });

  it('passes malformed and empty calls straight to the model embedder', async () => {
    const model = new HeldModel();
    const e = new CoalescingEmbedder(model);
    void e.embed([]);
    void e.embed([1 as unknown as string]);
    expect(model.calls).toEqual([[], [1]]);
  });
});
