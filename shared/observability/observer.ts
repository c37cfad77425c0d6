/**
 * Counters a stage reports: services wire them to prom-client (metrics.ts), tests read them directly.
 * Declared here, beside the metrics that implement it, so observability depends on no adapter.
 */
export interface StageObserver {
  consumed(topic: string, outcome: 'ok' | 'dlq' | 'duplicate' | 'late', n: number): void;
  batchSeconds(topic: string, seconds: number): void;
}

export const NULL_OBSERVER: StageObserver = { consumed: () => {}, batchSeconds: () => {} };
