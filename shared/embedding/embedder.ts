/**
 * Sentence embedder: transformers.js feature-extraction (mean or CLS pooling, L2-normalised) running in a
 * child process (model-host.ts says why). The model folder is laid out by scripts/install-model.sh.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { TrendcastError } from '../errors';
import type { EmbedRequest, OnnxRuntimeName, HostInit, HostReply } from './protocol';
import { CoalescingEmbedder } from './coalesce';

export interface Embedder {
  readonly modelId: string;
  readonly dim: number;
  /** One unit-length vector per text, in input order. */
  embed(texts: string[]): Promise<Float32Array[]>;
}

/** What createEmbedder returns: an Embedder that also says which runtime runs it and can be stopped. */
export interface ModelEmbedder extends Embedder {
  readonly runtime: OnnxRuntimeName;
  /** Process id of the model host (for ops and CPU accounting). */
  readonly pid: number | undefined;
  /** Stops the model process; later embed() calls fail. Optional: an idle embedder never keeps a process alive. */
  close(): Promise<void>;
  /** False once the model process has exited (or was closed): every later call fails. */
  readonly alive: boolean;
}

export type EmbedderLog = (msg: string, ctx: Record<string, unknown>) => void;

export interface EmbedderOptions {
  modelId: string;
  /** Folder holding <modelId>/ (relative paths resolve against the working directory). */
  modelDir: string;
  allowRemote: boolean;
  /** Texts per model call; 16 to 64 measured best here, 32 recommended (shared/embedding/README.md). */
  batchSize: number;
  /**
   * Load onnx/model_quantized.onnx instead of onnx/model.onnx (fp32, the default). The quantized graph
   * costs about 30% less CPU but scales activations per batch, so a vector depends on its batch companions.
   */
  quantized?: boolean;
  /** 'mean' (default, all-MiniLM-L6-v2) or 'cls' (bge-small-zh-v1.5): use what the model was trained with. */
  pooling?: 'mean' | 'cls';
  /** 'wasm' forces onnxruntime-web's WebAssembly runtime (the fallback when the native one is missing). */
  runtime?: 'auto' | 'wasm';
  log?: EmbedderLog;
}

// One JSON line on stderr, like shared/log.ts (console.error would add jest's code frames in tests).
export const defaultLog: EmbedderLog = (msg, ctx) =>
  process.stderr.write(JSON.stringify({ ts: new Date().toISOString(), level: 'info', component: 'embedding', msg, ...ctx }) + '\n');

function validate(o: EmbedderOptions): HostInit {
  const bad = (field: string, why: string) => new TrendcastError('CONFIG_INVALID', `createEmbedder: ${field} ${why}`);
  if (typeof o.modelId !== 'string' || o.modelId.trim() === '') throw bad('modelId', 'must be a non-empty string');
  if (typeof o.modelDir !== 'string' || o.modelDir === '') throw bad('modelDir', 'must be a non-empty path');
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw bad('batchSize', `must be an integer >= 1, got ${o.batchSize}`);
  if (o.runtime !== undefined && o.runtime !== 'auto' && o.runtime !== 'wasm') throw bad('runtime', `must be 'auto' or 'wasm', got ${o.runtime}`);
  if (o.pooling !== undefined && o.pooling !== 'mean' && o.pooling !== 'cls') throw bad('pooling', `must be 'mean' or 'cls', got ${o.pooling}`);
  return {
    modelId: o.modelId,
    modelDir: path.resolve(o.modelDir),
    allowRemote: o.allowRemote === true,
    quantized: o.quantized ?? false,
    batchSize: o.batchSize,
    pooling: o.pooling ?? 'mean',
    runtime: o.runtime ?? 'auto',
  };
}

/** Offline, a missing file would surface deep inside transformers.js; say plainly what to do instead. */
function checkModelFolder(init: HostInit): void {
  if (init.allowRemote) return;
  const folder = path.join(init.modelDir, init.modelId);
  const needed = ['config.json', 'tokenizer.json', 'tokenizer_config.json', init.quantized ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx'];
  const missing = needed.filter((f) => !existsSync(path.join(folder, f)));
  if (missing.length > 0) {
    throw new TrendcastError(
      'MODEL_UNAVAILABLE',
      `embedding model folder ${folder} is missing ${missing.join(', ')}; run scripts/install-model.sh ` +
        `(or allow remote downloads)`,
    );
  }
}

// Under tsx or jest this module is TypeScript, so the host needs tsx's require hook; compiled, it is plain JS.
function spawnHost(init: HostInit): ChildProcess {
  const ext = path.extname(__filename);
  const execArgv = ext === '.ts' ? ['--require', require.resolve('tsx/cjs')] : [];
  return fork(path.join(__dirname, `model-host${ext}`), [JSON.stringify(init)], {
    execArgv,
    serialization: 'advanced', // Float32Array crosses the IPC channel as it is, no JSON of numbers
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function waitReady(host: ChildProcess, init: HostInit): Promise<Extract<HostReply, { kind: 'ready' }>> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => fail(err.message, err);
    const onExit = (code: number | null, signal: string | null) => fail(`model process exited (${signal ?? code}) during start-up`);
    const onMessage = (m: HostReply) => {
      if (m.kind !== 'ready') return fail(m.kind === 'error' ? m.message : `unexpected ${m.kind} message`);
      detach();
      resolve(m);
    };
    const detach = () => host.off('error', onError).off('exit', onExit).off('message', onMessage);
    const fail = (why: string, cause?: unknown) => {
      detach();
      host.kill();
      reject(new TrendcastError('MODEL_UNAVAILABLE', `cannot load embedding model ${init.modelId} from ${init.modelDir}: ${why}`, { cause }));
    };
    host.on('error', onError).on('exit', onExit).on('message', onMessage);
  });
}

export async function createEmbedder(opts: EmbedderOptions): Promise<ModelEmbedder> {
  const init = validate(opts);
  checkModelFolder(init);
  const log = opts.log ?? defaultLog;
  const host = spawnHost(init);
  const ready = await waitReady(host, init);
  log('embedding model loaded', { modelId: init.modelId, runtime: ready.runtime, dim: ready.dim, loadMs: ready.loadMs, batchSize: init.batchSize, quantized: init.quantized, pooling: init.pooling, pid: host.pid });
  if (init.runtime === 'auto' && ready.runtime !== 'onnxruntime-node') {
    log('embedding runs without onnxruntime-node (several times slower)', { runtime: ready.runtime });
  }
  return new CoalescingEmbedder(new HostEmbedder(host, init.modelId, ready.dim, ready.runtime));
}

interface Pending {
  n: number;
  resolve: (v: Float32Array[]) => void;
  reject: (e: Error) => void;
}

class HostEmbedder implements ModelEmbedder {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: Error | null = null;
  private readonly exited: Promise<void>;
  readonly pid: number | undefined;

  constructor(
    private readonly host: ChildProcess,
    readonly modelId: string,
    readonly dim: number,
    readonly runtime: OnnxRuntimeName,
  ) {
    this.pid = host.pid;
    this.exited = new Promise((resolve) => host.once('exit', () => resolve()));
    this.setRef(false);
    host.on('message', (m: HostReply) => this.onReply(m));
    host.on('error', (err) => this.die(new TrendcastError('MODEL_UNAVAILABLE', `embedding model process failed: ${err.message}`, { cause: err })));
    host.on('exit', (code, signal) => this.die(new TrendcastError('MODEL_UNAVAILABLE', `embedding model process exited (${signal ?? code})`)));
  }

  get alive(): boolean {
    return this.dead === null;
  }

  embed(texts: string[]): Promise<Float32Array[]> {
    if (!Array.isArray(texts)) return Promise.reject(new TypeError('embed: texts must be an array of strings'));
    const notString = texts.findIndex((t) => typeof t !== 'string');
    if (notString >= 0) return Promise.reject(new TypeError(`embed: texts[${notString}] is ${typeof texts[notString]}, not a string`));
    if (this.dead) return Promise.reject(this.dead);
    if (texts.length === 0) return Promise.resolve([]);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // Keep this process alive only while a reply is awaited; an idle embedder must not block exit.
      if (this.pending.size === 0) this.setRef(true);
      this.pending.set(id, { n: texts.length, resolve, reject });
      this.host.send({ id, texts } satisfies EmbedRequest);
    });
  }

  async close(): Promise<void> {
    this.die(new TrendcastError('MODEL_UNAVAILABLE', 'embedder closed'));
    if (this.host.exitCode === null && this.host.signalCode === null) {
      this.setRef(true); // an unref'd child would let this process end before 'exit' arrives
      this.host.kill('SIGTERM');
      await this.exited;
    }
  }

  private setRef(on: boolean): void {
    const ch = this.host.channel as { ref(): void; unref(): void } | null | undefined;
    if (on) {
      this.host.ref();
      ch?.ref();
    } else {
      this.host.unref();
      ch?.unref();
    }
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.setRef(false);
    return p;
  }

  private onReply(m: HostReply): void {
    if (m.kind === 'ready' || m.id === null) return;
    const p = this.settle(m.id);
    if (!p) return;
    if (m.kind === 'error') return p.reject(new TrendcastError('INTERNAL', `embedding failed: ${m.message}`));
    // Own copies per text, made in this realm: a view's .buffer would expose the whole batch.
    const out: Float32Array[] = [];
    for (let i = 0; i < p.n; i++) out.push(new Float32Array(m.data.subarray(i * m.dim, (i + 1) * m.dim)));
    p.resolve(out);
  }

  private die(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(err);
  }
}
