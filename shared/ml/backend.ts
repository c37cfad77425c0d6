/**
 * tfjs backend selection. Config TFJS_BACKEND = auto | wasm | cpu | native | gpu (default auto):
 *   auto   -> tfjs-node-gpu if installed, else tfjs-node if installed, else wasm, else cpu
 *   native -> @tensorflow/tfjs-node (libtensorflow on the CPU)
 *   gpu    -> @tensorflow/tfjs-node-gpu (libtensorflow with CUDA)
 * The native packages are optional peer dependencies (their install downloads libtensorflow), so they
 * are required dynamically and their absence is not an error under `auto`.
 *
 * wasm: the SIMD build, single-threaded. The threaded SIMD build cannot start under Node 20: its
 * emscripten pthread pool spawns workers from blob: URLs, which node:worker_threads rejects
 * (ERR_WORKER_PATH), and tfjs itself reports no multithread support when IS_NODE.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { ConfigError } from '../errors';
import type { Logger } from '../log';
import type { Spec } from '../config/spec';

export const TFJS_BACKENDS = ['auto', 'wasm', 'cpu', 'native', 'gpu'] as const;
export type TfjsBackendChoice = (typeof TFJS_BACKENDS)[number];

export const tfjsSpec = {
  TFJS_BACKEND: { kind: 'enum', values: TFJS_BACKENDS, default: 'auto', doc: 'tfjs backend: auto (gpu > native > wasm > cpu), wasm, cpu, native (tfjs-node), gpu (tfjs-node-gpu)' },
} satisfies Spec;

export interface BackendInfo {
  /** What was asked for (after defaulting). */
  requested: TfjsBackendChoice;
  /** tf.getBackend() after selection: 'tensorflow' for tfjs-node(-gpu), 'wasm' or 'cpu'. */
  backend: string;
  /** The npm package that provides it. */
  pkg: string;
  /** wasm only: SIMD and thread count in use. */
  simd?: boolean;
  threads?: number;
}

const NATIVE = { gpu: '@tensorflow/tfjs-node-gpu', native: '@tensorflow/tfjs-node' } as const;

/** Validates a raw TFJS_BACKEND value; undefined or empty means auto. */
export function parseBackendChoice(raw: string | undefined): TfjsBackendChoice {
  const v = (raw ?? '').trim().toLowerCase() || 'auto';
  if (!(TFJS_BACKENDS as readonly string[]).includes(v)) {
    throw new ConfigError('TFJS_BACKEND', `${JSON.stringify(raw)} is not one of ${TFJS_BACKENDS.join(', ')}`);
  }
  return v as TfjsBackendChoice;
}

/** The folder holding the .wasm binaries, resolved from the package so any cwd works offline. */
export function wasmDir(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
}

/** Loads a native package by name; undefined if it is not installed. Other load errors propagate. */
function tryRequire(pkg: string): unknown {
  try {
    // A computed name keeps bundlers and the type checker from requiring the optional package.
    const req: NodeRequire = require;
    return req(pkg);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes(pkg)) return undefined;
    throw err;
  }
}

async function useNative(kind: 'gpu' | 'native'): Promise<BackendInfo | undefined> {
  const pkg = NATIVE[kind];
  if (tryRequire(pkg) === undefined) return undefined;
  // Importing tfjs-node registers the 'tensorflow' backend on the shared tfjs-core engine.
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} is installed but the tensorflow backend failed to start`);
  await tf.ready();
  return { requested: kind, backend: tf.getBackend(), pkg };
}

async function useWasm(): Promise<BackendInfo | undefined> {
  setWasmPaths(wasmDir());
  if (!(await tf.setBackend('wasm'))) return undefined;
  await tf.ready();
  const be = tf.backend() as unknown as { wasm?: { tfjs?: { getThreadsCount?: () => number } } };
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  return { requested: 'wasm', backend: 'wasm', pkg: '@tensorflow/tfjs-backend-wasm', simd, threads: be.wasm?.tfjs?.getThreadsCount?.() ?? 1 };
}

async function useCpu(): Promise<BackendInfo> {
  await tf.setBackend('cpu');
  await tf.ready();
  return { requested: 'cpu', backend: 'cpu', pkg: '@tensorflow/tfjs-backend-cpu' };
}

let current: BackendInfo | undefined;

/**
 * Models call this before touching tensors: a process that never chose a backend gets the one
 * TFJS_BACKEND names (default auto) rather than tfjs's own default, the pure-JS cpu backend.
 */
export async function ensureBackend(log?: Logger): Promise<BackendInfo> {
  return current ?? initBackend(process.env.TFJS_BACKEND, log);
}

/** The selection made by the last initBackend call in this process, if any. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}

/**
 * Selects and initialises the backend. An explicit choice that cannot be honoured throws (naming the
 * package to install); `auto` falls through the list. The choice is logged.
 */
export async function initBackend(raw: string | undefined, log?: Logger): Promise<BackendInfo> {
  const choice = parseBackendChoice(raw);
  let info: BackendInfo | undefined;
  if (choice === 'gpu' || choice === 'native') {
    info = await useNative(choice);
    if (!info) throw new ConfigError('TFJS_BACKEND', `"${choice}" needs ${NATIVE[choice]}: npm install ${NATIVE[choice]}@4.22.0`);
  } else if (choice === 'wasm') {
    info = await useWasm();
    if (!info) throw new ConfigError('TFJS_BACKEND', '"wasm": the wasm backend failed to initialise');
  } else if (choice === 'cpu') {
    info = await useCpu();
  } else {
    info = (await useNative('gpu')) ?? (await useNative('native')) ?? (await useWasm()) ?? (await useCpu());
  }
  current = { ...info, requested: choice };
  log?.info('tfjs backend selected', { ...current });
  return current;
}
