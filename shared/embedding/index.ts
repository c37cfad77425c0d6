export { createEmbedder } from './embedder';
export type { Embedder, EmbedderLog, EmbedderOptions, ModelEmbedder } from './embedder';
export type { OnnxRuntimeName } from './protocol';
export { cosine, norm } from './vector';
export { SupervisedEmbedder } from './supervised';
