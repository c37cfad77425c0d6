import { spawn, type ChildProcess } from 'child_process';
import * as net from 'net';
import * as path from 'path';
import * as readline from 'readline';
import { FORECASTER_NODE_FLAGS } from '../../../services/forecaster/node-flags';

export const ROOT = path.resolve(__dirname, '../../..');
export const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface RunningService {
  name: string;
  proc: ChildProcess;
  port: number;
  logs: string[];
  stop(): Promise<number | null>;
}

/** A random name part, so each test has its own topics, groups and keys. */
export function uniq(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
}

/**
 * Starts a service as its own process (node + tsx, as `trendcast start` does) and resolves once it
 * logged "started" with its metrics port.
 */
export function startService(name: string, env: Record<string, string>, timeoutMs = 90_000): Promise<RunningService> {
  // the service's own node flags, as deployed; BENCH_NODE_ARGS: extra ones (e.g. --cpu-prof when profiling a benchmark)
  const nodeArgs = [...(name === 'forecaster' ? FORECASTER_NODE_FLAGS : []), ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(ROOT, 'services', name, 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, KAFKA_BROKERS: BROKERS, REDIS_URL, METRICS_PORT: '0', LOG_LEVEL: 'info', KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in ${timeoutMs} ms:\n${logs.slice(-20).join('\n')}`)), timeoutMs);
    void exited.then((code) => reject(new Error(`${name} exited with ${code} before it started:\n${logs.slice(-20).join('\n')}`)));
    for (const stream of [proc.stdout!, proc.stderr!]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        logs.push(line);
        if (!line.includes('"msg":"started"')) return;
        clearTimeout(timer);
        const port = Number(JSON.parse(line).metricsPort);
        resolve({
          name, proc, port, logs,
          stop: async () => {
            if (proc.exitCode === null) proc.kill('SIGTERM');
            return exited;
          },
        });
      });
    }
  });
}

/** Runs a service to completion (the replayer, a CLI command) and returns its exit code and output. */
export function runToEnd(file: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, file), ...args], {
    cwd: ROOT,
    env: { ...process.env, KAFKA_BROKERS: BROKERS, REDIS_URL, KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  proc.stderr!.on('data', (d) => (stderr += d));
  return new Promise((r) => proc.once('exit', (code) => r({ code, stdout, stderr })));
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 120_000, everyMs = 250): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export async function getJson(port: number, p: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${p}`);
  return { status: res.status, body: await res.text() };
}

/** A free TCP port on the loopback (free when asked; the caller binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
