import { execFile, spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { freePort, ROOT, waitFor } from './services';

/** Runs promtool (Debian's prometheus package) and returns its exit code and output. */
export function promtool(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('promtool', args, { cwd: ROOT }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }));
  });
}

export interface RunningPrometheus {
  port: number;
  dir: string;
  configFile: string;
  logs: string[];
  query(expr: string): Promise<PromResult>;
  get<T>(p: string): Promise<T>;
  stop(): Promise<void>;
}

export interface PromSeries {
  metric: Record<string, string>;
  value: [number, string];
}
export type PromResult = { status: 'success'; data: { resultType: string; result: PromSeries[] | [number, string] } } | { status: 'error'; errorType: string; error: string };

/**
 * A real Prometheus on a free port, scraping the given jobs every second and evaluating
 * deploy/prometheus/alerts.yml; its data in a temporary folder removed by stop().
 */
export async function startPrometheus(jobs: Record<string, number>): Promise<RunningPrometheus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-prom-'));
  const port = await freePort();
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '1s' },
    rule_files: [path.join(ROOT, 'deploy/prometheus/alerts.yml')],
    scrape_configs: Object.entries(jobs).map(([job, p]) => ({ job_name: job, static_configs: [{ targets: [`127.0.0.1:${p}`] }] })),
  };
  const configFile = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(configFile, stringify(config));
  const proc: ChildProcess = spawn('prometheus', [
    `--config.file=${configFile}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  proc.stdout!.on('data', (d) => logs.push(String(d)));
  proc.stderr!.on('data', (d) => logs.push(String(d)));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const base = `http://127.0.0.1:${port}`;
  const get = async <T>(p: string): Promise<T> => (await (await fetch(base + p)).json()) as T;
  await waitFor('prometheus ready', async () => (await fetch(`${base}/-/ready`)).ok, 30_000).catch((err) => {
    proc.kill('SIGTERM');
    throw new Error(`${(err as Error).message}\n${logs.join('')}`);
  });
  return {
    port, dir, configFile, logs, get,
    query: (expr) => get<PromResult>(`/api/v1/query?query=${encodeURIComponent(expr)}`),
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An alert expression with its filtering comparisons turned into `bool` ones: it then returns a
 * 0/1 series for every input series, which shows the signal exists whether or not the alert fires.
 */
export function boolified(expr: string): string {
  return expr.replace(/(\s)(==|!=|>=|<=|>|<)(\s+)(?!bool\b)/g, '$1$2 bool$3');
}
