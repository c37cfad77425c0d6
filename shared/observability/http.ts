import * as http from 'http';
import type { AddressInfo } from 'net';
import type { Registry } from 'prom-client';

export type ReadinessCheck = () => Promise<boolean> | boolean;

/**
 * /metrics (Prometheus text), /healthz (the process answers) and /readyz (every named dependency
 * ready: Kafka, Redis, the model...). Readiness lists the failing checks so an operator sees which.
 */
export async function startHttpServer(port: number, registry: Registry, checks: Record<string, ReadinessCheck>): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    try {
      if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(await registry.metrics());
      } else if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok\n');
      } else if (req.url === '/readyz') {
        const results = await Promise.all(Object.entries(checks).map(async ([name, c]) => [name, await Promise.resolve(c()).catch(() => false)] as const));
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
