/**
 * One error module. Every error carries a stable code, whether retrying can help, and its cause,
 * so a consumer can decide in one place: retry (transient), or dead-letter and commit (permanent).
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'DECODE_FAILED'
  | 'VALIDATION_FAILED'
  | 'UNKNOWN_SCHEMA'
  | 'STORE_UNAVAILABLE'
  | 'BROKER_UNAVAILABLE'
  | 'MODEL_UNAVAILABLE'
  | 'HANDLER_FAILED'
  | 'INTERNAL';

export class TrendcastError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  constructor(code: ErrorCode, message: string, opts: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'TrendcastError';
    this.code = code;
    this.retriable = opts.retriable ?? false;
  }
}

/** A message that can never be processed: it goes to the dead-letter topic with this reason. */
export class PoisonMessageError extends TrendcastError {
  constructor(code: 'DECODE_FAILED' | 'VALIDATION_FAILED' | 'UNKNOWN_SCHEMA', message: string, cause?: unknown) {
    super(code, message, { retriable: false, cause });
    this.name = 'PoisonMessageError';
  }
}

export class ConfigError extends TrendcastError {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super('CONFIG_INVALID', `invalid configuration ${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/**
 * Turns anything thrown into a TrendcastError. Unknown errors are treated as transient, but for the
 * programmer errors of JavaScript itself (a TypeError on some unexpected value...): those come back
 * the same on every attempt, so retrying them would only stall the partition.
 */
export function toTrendcastError(err: unknown): TrendcastError {
  if (err instanceof TrendcastError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const deterministic = err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError || err instanceof SyntaxError;
  return new TrendcastError('INTERNAL', message, { retriable: !deterministic, cause: err });
}
