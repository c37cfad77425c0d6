import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort } from './services';

export interface OwnRedis {
  url: string;
  /** Shuts the server down as an operator would (SIGTERM: the AOF is flushed) and waits for its exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Kills it (SIGKILL, as a crash or an OOM kill would) and waits for its exit. */
  kill(): Promise<void>;
  /** Stops it and removes its data folder. */
  close(): Promise<void>;
}

export interface OwnRedisOptions {
  /**
   * 'aof' (default): an append-only file with an fsync per write, so nothing acknowledged is lost.
   * 'snapshot': only what the test saves with SAVE survives a restart, as with Redis's default RDB
   * snapshots (and no AOF): a restart then comes back with an older state.
   */
  persistence?: 'aof' | 'snapshot';
  /** More redis-server arguments (e.g. a cluster node's). */
  args?: string[];
}

/**
 * A redis-server of the test's own (the one scripts/infra.sh installs), so a test can take it away
 * and bring it back without touching the Redis every other test shares. Append-only file with an
 * fsync per write: what it acknowledged survives a restart, as in a production set-up.
 */
export async function startOwnRedis(opts: OwnRedisOptions = {}): Promise<OwnRedis> {
  const persistence = opts.persistence === 'snapshot' ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', 'always'];
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trendcast-redis-'));
  let proc: ChildProcess | null = null;
  const start = () => new Promise<void>((resolve, reject) => {
    const p = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', ...persistence, '--dir', dir, ...(opts.args ?? [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc = p;
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on ${port}:\n${out}`)), 20_000);
    p.once('error', (err) => reject(new Error(`redis-server could not run (installed by scripts/infra.sh install): ${err.message}`)));
    p.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${out}`)));
    p.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const signal = (sig: NodeJS.Signals) => async () => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(sig);
    await exited;
  };
  const stop = signal('SIGTERM');
  await start();
  const close = async () => {
    await stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { url: `redis://127.0.0.1:${port}`, stop, start, kill: signal('SIGKILL'), close };
}
