/** Structured JSON logs on stderr: a message and a context object (topic, partition, offset, sku...). */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, ctx?: Record<string, unknown>): void;
  info(msg: string, ctx?: Record<string, unknown>): void;
  warn(msg: string, ctx?: Record<string, unknown>): void;
  error(msg: string, ctx?: Record<string, unknown>): void;
  child(ctx: Record<string, unknown>): Logger;
}

export function createLogger(service: string, level: LogLevel = 'info', base: Record<string, unknown> = {}): Logger {
  const min = ORDER[level];
  const write = (lvl: LogLevel, msg: string, ctx?: Record<string, unknown>) => {
    if (ORDER[lvl] < min) return;
    const line: Record<string, unknown> = { ts: new Date().toISOString(), level: lvl, service, msg, ...base, ...ctx };
    if (ctx?.err instanceof Error) line.err = { message: ctx.err.message, code: (ctx.err as { code?: string }).code };
    process.stderr.write(JSON.stringify(line) + '\n');
  };
  return {
    debug: (m, c) => write('debug', m, c),
    info: (m, c) => write('info', m, c),
    warn: (m, c) => write('warn', m, c),
    error: (m, c) => write('error', m, c),
    child: (ctx) => createLogger(service, level, { ...base, ...ctx }),
  };
}

/**
 * Collapses a message that repeats within `windowMs` (a client that logs every failed reconnect
 * while a server is away would otherwise write several lines a second). Returns null to drop the
 * line, else how many of the same were dropped since it was last written. Bounded: at most
 * `maxKeys` distinct messages are remembered.
 */
export function repeatFilter(windowMs: number, maxKeys = 1000): (key: string, now?: number) => number | null {
  const seen = new Map<string, { at: number; dropped: number }>();
  return (key, now = Date.now()) => {
    const s = seen.get(key);
    if (s && now - s.at < windowMs) {
      s.dropped++;
      return null;
    }
    if (!s && seen.size >= maxKeys) seen.clear();
    seen.set(key, { at: now, dropped: 0 });
    return s?.dropped ?? 0;
  };
}
