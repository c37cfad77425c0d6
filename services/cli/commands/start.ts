import * as path from 'path';
import type { Spec } from '../../../shared/config/spec';
import { parseFlags, UsageError } from '../args';
import { ROOT } from '../child';
import type { Command } from '../command';

/** The long-running services, what each does, and where its config spec lives (loaded only for --help). */
export const SERVICES: Record<string, { what: string; spec: () => Promise<Spec> }> = {
  'order-consumer': {
    what: 'orders -> per-product demand buckets and Holt smoothing in Redis',
    spec: async () => ({ ...(await import('../../../shared/adapters/consumer-service')).consumerSpec, ...(await import('../../order-consumer/handler')).orderConsumer.extraSpec }),
  },
  'review-consumer': {
    what: 'reviews -> rating stats and the decayed mean of review-text embeddings',
    spec: async () => ({ ...(await import('../../../shared/adapters/consumer-service')).consumerSpec, ...(await import('../../review-consumer/handler')).reviewConsumer.extraSpec }),
  },
  'listing-consumer': {
    what: 'listings -> listing attributes and the title + description embedding',
    spec: async () => ({ ...(await import('../../../shared/adapters/consumer-service')).consumerSpec, ...(await import('../../listing-consumer/handler')).listingConsumer.extraSpec }),
  },
  forecaster: { what: 'Redis state -> trends, on a schedule and on change', spec: async () => (await import('../../forecaster/service')).forecasterServiceSpec },
  'restock-trigger': { what: 'trends + inventory -> restock-alerts', spec: async () => (await import('../../restock-trigger/config')).restockSpec },
  'ad-bidding-example': { what: 'trends -> bid multipliers as JSON lines on stdout', spec: async () => (await import('../../ad-bidding-example/config')).biddingSpec },
};

function specTable(spec: Spec): string {
  const rows = Object.entries(spec).map(([n, v]) => [n, v.default === undefined ? '(required)' : Array.isArray(v.default) ? v.default.join(',') : String(v.default), v.doc]);
  const w0 = Math.max(...rows.map((r) => r[0].length)) + 2;
  const w1 = Math.min(28, Math.max(...rows.map((r) => r[1].length))) + 2;
  return rows.map(([n, d, doc]) => `  ${n.padEnd(w0)}${(d.length > 26 ? '...' + d.slice(-23) : d).padEnd(w1)}${doc}`).join('\n');
}

function serviceOf(argv: string[]): string | undefined {
  const p = parseFlags(argv, {}, 'start', 1);
  const name = p.positionals[0];
  if (name !== undefined && !SERVICES[name]) throw new UsageError(`unknown service "${name}" (${Object.keys(SERVICES).join(', ')})`, 'start');
  return name;
}

export const start: Command = {
  name: 'start',
  summary: `run one service in the foreground: ${Object.keys(SERVICES).join(', ')}`,
  async help(argv) {
    const name = serviceOf(argv);
    const list = Object.entries(SERVICES).map(([n, s]) => `  ${n.padEnd(20)}${s.what}`).join('\n');
    const head = `usage: trendcast start <service>

Runs the service in this process until SIGTERM or Ctrl-C, which stop it cleanly (exit 0). Its
configuration comes from the environment, checked at start-up: a bad value stops it with exit
code 2 and a message naming the variable. It serves /metrics, /healthz and /readyz on METRICS_PORT.

services:
${list}`;
    if (!name) return `${head}\n\n\`trendcast start <service> --help\` lists its variables (also in docs/config.md).`;
    return `${head}\n\nvariables of ${name} (default, meaning):\n${specTable(await SERVICES[name].spec())}`;
  },
  async run(argv) {
    const name = serviceOf(argv);
    if (!name) throw new UsageError('start needs a service name', 'start');
    // the service's main.ts starts it on import and owns the process from then on (signals, exit code)
    await import(path.join(ROOT, 'services', name, 'main.ts'));
    return 'running';
  },
};
