import * as http from 'http';
import { startHttpServer } from '../../../shared/observability/http';
import { createRegistry } from '../../../shared/observability/metrics';

const get = (port: number, p: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
  http.get({ host: '127.0.0.1', port, path: p }, (res) => {
    let body = '';
    res.on('data', (d) => (body += d));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
  }).on('error', reject);
});

describe('readiness on /readyz and as trendcast_ready', () => {
  test('the same checks, evaluated at each request and each scrape; a throwing check is not ready', async () => {
    let kafka = true;
    const server = await startHttpServer(0, createRegistry('test-service'), {
      kafka: () => kafka,
      redis: async () => true,
      model: () => {
        throw new Error('boom');
      },
    });
    try {
      let r = await get(server.port, '/readyz');
      expect(r.status).toBe(503);
      expect(JSON.parse(r.body)).toEqual({ ready: false, checks: { kafka: true, redis: true, model: false } });
      let m = (await get(server.port, '/metrics')).body;
      expect(m).toContain('trendcast_ready{check="kafka",service="test-service"} 1');
      expect(m).toContain('trendcast_ready{check="redis",service="test-service"} 1');
      expect(m).toContain('trendcast_ready{check="model",service="test-service"} 0');
      kafka = false;
      r = await get(server.port, '/readyz');
      expect(JSON.parse(r.body).checks.kafka).toBe(false);
      m = (await get(server.port, '/metrics')).body;
      expect(m).toContain('trendcast_ready{check="kafka",service="test-service"} 0');
    } finally {
      await server.close();
    }
  });
});
