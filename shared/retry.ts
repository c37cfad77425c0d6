import { toTrendcastError } from './errors';

export interface RetryOptions {
  retries: number;
  initialMs: number;
  maxMs: number;
  factor?: number;
  onRetry?: (err: Error, attempt: number, delayMs: number) => void;
}

/**
 * Exponential backoff with full jitter. Only retriable errors are retried: a poison message or a
 * programmer error fails at once; the stage then isolates the messages that cause it and
 * dead-letters them (shared/adapters/stage.ts), instead of looping.
 */
export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const factor = opts.factor ?? 2;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (raw) {
      const err = toTrendcastError(raw);
      if (!err.retriable || attempt >= opts.retries) throw raw;
      const cap = Math.min(opts.maxMs, opts.initialMs * factor ** attempt);
      const delay = Math.round(Math.random() * cap);
      opts.onRetry?.(err, attempt + 1, delay);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
