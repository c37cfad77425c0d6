import * as http from 'http';
import type { AddressInfo } from 'net';
import type { Registry } from 'prom-client';
import { gauge, METRICS } from './metrics';

export type ReadinessCheck = () => Promise<boolean> | boolean;

/** Each check's result; a check that throws counts as not ready. */
async function evaluate(checks: Record<string, ReadinessCheck>): Promise<[string, boolean][]> {
  // inside an async function, so a check that throws at once is caught too (Promise.resolve(c()) was not)
  return Promise.all(Object.entries(checks).map(async ([name, c]) => [name, await (async () => c())().catch(() => false)] as [string, boolean]));
}

/**
 * /metrics (Prometheus text), /healthz (the process answers) and /readyz (every named dependency
 * ready: Kafka, Redis, the model...). Readiness lists the failing checks so an operator sees which.
 * The same checks are the gauge trendcast_ready{check}, so Prometheus sees (and alerts on) what a
 * probe sees: a partition, say, shows as kafka or redis at 0 though the process answers.
 */
export async function startHttpServer(port: number, registry: Registry, checks: Record<string, ReadinessCheck>): Promise<{ port: number; close(): Promise<void> }> {
  gauge(METRICS.ready, registry, async function collect() {
    for (const [check, ok] of await evaluate(checks)) this.set({ check }, ok ? 1 : 0);
  });
  const server = http.createServer(async (req, res) => {
    try {
      if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(await registry.metrics());
      } else if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok\n');
      } else if (req.url === '/readyz') {
        const results = await evaluate(checks);
        const failing = results.filter(([, ok]) => !ok).map(([n]) => n);
        res.writeHead(failing.length === 0 ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ready: failing.length === 0, checks: Object.fromEntries(results) }) + '\n');
      } else {
        res.writeHead(404).end();
      }
    } catch (err) {
      res.writeHead(500).end(String((err as Error).message));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
