/**
 * Versioned model artifacts: artifacts/<model>/<version>/{model.json, weights.bin, metadata.json}.
 * model.json + weights.bin follow the tfjs weights-manifest format, written by our own tf.io
 * handler (tfjs-node's file:// handler exists only with tfjs-node). A version is written to a
 * temporary folder and renamed into place, so a reader never sees half an artifact; versions sort
 * by name (UTC timestamp), newest last.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { Logger } from '../log';
import { currentBackend } from './backend';
import { GlobalLstmModel, LstmMeta } from './lstm';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';
const METADATA_JSON = 'metadata.json';
const VERSION = /^\d{8}T\d{9}Z(-\d+)?$/;

function joinBuffers(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  if (!Array.isArray(data)) return data;
  const total = data.reduce((a, b) => a + b.byteLength, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), off);
    off += b.byteLength;
  }
  return out.buffer;
}

/** A tf.io handler that reads and writes model.json + weights.bin in a local folder. */
export class FileIOHandler implements tf.io.IOHandler {
  constructor(readonly dir: string) {}

  async save(a: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
    await fs.mkdir(this.dir, { recursive: true });
    const weights = Buffer.from(joinBuffers(a.weightData));
    const json = {
      format: a.format,
      generatedBy: a.generatedBy ?? `TensorFlow.js tfjs-core v${tf.version_core}`,
      convertedBy: a.convertedBy ?? null,
      modelTopology: a.modelTopology,
      weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: a.weightSpecs ?? [] }],
      userDefinedMetadata: a.userDefinedMetadata,
    };
    await fs.writeFile(path.join(this.dir, WEIGHTS_BIN), weights);
    await fs.writeFile(path.join(this.dir, MODEL_JSON), JSON.stringify(json));
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
  }

  async load(): Promise<tf.io.ModelArtifacts> {
    const file = path.join(this.dir, MODEL_JSON);
    const json = JSON.parse(await fs.readFile(file, 'utf8')) as tf.io.ModelJSON;
    if (!Array.isArray(json.weightsManifest)) throw new Error(`${file}: no weightsManifest`);
    const specs: tf.io.WeightsManifestEntry[] = [];
    const parts: Buffer[] = [];
    for (const group of json.weightsManifest) {
      specs.push(...group.weights);
      for (const p of group.paths) parts.push(await fs.readFile(path.join(this.dir, p)));
    }
    const all = Buffer.concat(parts);
    const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
    return { modelTopology: json.modelTopology, format: json.format, generatedBy: json.generatedBy, weightSpecs: specs, weightData, userDefinedMetadata: json.userDefinedMetadata };
  }
}

export interface ArtifactMetadata {
  model: string;
  version: string;
  createdAt: string;
  tfjs: { version: string; backend: string };
  /** Extra facts from the trainer: data file, origin, training window, command line. */
  run?: Record<string, unknown>;
  lstm: LstmMeta;
}

export interface LoadedArtifact {
  model: GlobalLstmModel;
  version: string;
  dir: string;
  metadata: ArtifactMetadata;
}

/** A sortable version name from a time: 20111106T120000123Z. */
export function versionName(at = new Date()): string {
  return at.toISOString().replace(/[-:.]/g, '');
}

/** Writes the model as a new version under root/<model.name>/ and returns its folder. */
export async function saveArtifact(model: GlobalLstmModel, root: string, run?: Record<string, unknown>, at = new Date()): Promise<{ dir: string; version: string }> {
  const base = path.join(root, model.name);
  await fs.mkdir(base, { recursive: true });
  let version = versionName(at);
  for (let k = 1; await exists(path.join(base, version)); k++) version = `${versionName(at)}-${k}`;
  const tmp = path.join(base, `.tmp-${version}-${process.pid}`);
  const { data, specs } = await tf.io.encodeWeights(model.weights());
  await new FileIOHandler(tmp).save({ format: 'trendcast-global-lstm', modelTopology: { shape: model.metadata.shape }, weightSpecs: specs, weightData: data });
  const meta: ArtifactMetadata = {
    model: model.name,
    version,
    createdAt: at.toISOString(),
    tfjs: { version: tf.version.tfjs, backend: currentBackend()?.backend ?? tf.getBackend() },
    run,
    lstm: model.metadata,
  };
  await fs.writeFile(path.join(tmp, METADATA_JSON), JSON.stringify(meta, null, 1));
  const dir = path.join(base, version);
  await fs.rename(tmp, dir);
  return { dir, version };
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
}

/** Complete versions in a model folder, oldest first. */
export async function listVersions(modelDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(modelDir);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return [];
    throw err;
  }
  const ok: string[] = [];
  for (const n of names.filter((x) => VERSION.test(x)).sort()) if (await exists(path.join(modelDir, n, METADATA_JSON))) ok.push(n);
  return ok;
}

export async function loadVersion(modelDir: string, version: string): Promise<LoadedArtifact> {
  const dir = path.join(modelDir, version);
  const metadata = JSON.parse(await fs.readFile(path.join(dir, METADATA_JSON), 'utf8')) as ArtifactMetadata;
  const a = await new FileIOHandler(dir).load();
  const tensors = tf.io.decodeWeights(a.weightData!, a.weightSpecs!);
  try {
    return { model: GlobalLstmModel.fromWeights(metadata.lstm, tensors), version, dir, metadata };
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

/**
 * The newest complete version, or undefined when there is none. `dir` is either a model folder
 * (artifacts/lstm) or, with `name`, the artifacts root.
 */
export async function loadLatest(dir: string, name?: string): Promise<LoadedArtifact | undefined> {
  const modelDir = name ? path.join(dir, name) : dir;
  const vs = await listVersions(modelDir);
  return vs.length ? loadVersion(modelDir, vs[vs.length - 1]) : undefined;
}

export interface WatcherOptions {
  /** Model folder (artifacts/lstm), or the root with `name`. */
  dir: string;
  name?: string;
  /** Poll period; ARTIFACT_POLL_MS in the worker's config. */
  intervalMs: number;
  /** Called with each newer version; the caller disposes `previous.model` once no forecast uses it. */
  onNewVersion: (loaded: LoadedArtifact, previous: LoadedArtifact | undefined) => void | Promise<void>;
  onError?: (err: unknown) => void;
  log?: Logger;
}

/** Polls a model folder and swaps in each newer version without a restart. */
export class ArtifactWatcher {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private current?: LoadedArtifact;

  constructor(private readonly o: WatcherOptions) {
    if (!(o.intervalMs > 0)) throw new Error(`ArtifactWatcher: intervalMs must be > 0, got ${o.intervalMs}`);
  }

  get latest(): LoadedArtifact | undefined {
    return this.current;
  }

  /** Checks once now (so the first version is loaded before start resolves), then every intervalMs. */
  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), this.o.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One poll; overlapping polls share the one in flight. */
  check(): Promise<void> {
    this.running ??= this.poll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async poll(): Promise<void> {
    const modelDir = this.o.name ? path.join(this.o.dir, this.o.name) : this.o.dir;
    try {
      const vs = await listVersions(modelDir);
      const newest = vs[vs.length - 1];
      if (!newest || (this.current && newest <= this.current.version)) return;
      const loaded = await loadVersion(modelDir, newest);
      const previous = this.current;
      this.current = loaded;
      this.o.log?.info('model version loaded', { model: loaded.metadata.model, version: newest, previous: previous?.version });
      await this.o.onNewVersion(loaded, previous);
    } catch (err) {
      this.o.log?.warn('model artifact check failed', { dir: modelDir, err });
      this.o.onError?.(err);
    }
  }
}
