/** Messages between the embedder (parent) and its model host (child process). */

/** Which ONNX runtime executes the model: native onnxruntime-node, or onnxruntime-web's WebAssembly. */
export type OnnxRuntimeName = 'onnxruntime-node' | 'onnxruntime-web-wasm' | 'unknown';

export interface HostInit {
  modelId: string;
  /** Absolute path of the folder holding <modelId>/ (transformers.js env.localModelPath). */
  modelDir: string;
  allowRemote: boolean;
  quantized: boolean;
  batchSize: number;
  /** How token vectors become one text vector: the model's own training choice (MiniLM mean, BGE cls). */
  pooling: 'mean' | 'cls';
  /** 'auto' = transformers.js's own order (native cpu first, wasm second); 'wasm' forces WebAssembly. */
  runtime: 'auto' | 'wasm';
}

export interface EmbedRequest {
  id: number;
  texts: string[];
}

export type HostReply =
  | { kind: 'ready'; runtime: OnnxRuntimeName; dim: number; loadMs: number }
  | { kind: 'result'; id: number; dim: number; data: Float32Array }
  | { kind: 'error'; id: number | null; message: string };
