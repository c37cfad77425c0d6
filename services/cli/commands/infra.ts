import * as path from 'path';
import { parseFlags, UsageError } from '../args';
import { ROOT, runChild } from '../child';
import type { Command } from '../command';

export const INFRA_ACTIONS = ['up', 'down', 'status', 'install'] as const;
export const INFRA_TARGETS = ['kafka', 'redis', 'all'] as const;

export const infra: Command = {
  name: 'infra',
  summary: 'install, start, stop or check the local Kafka and Redis (no Docker needed)',
  help: () => `usage: trendcast infra up|down|status|install [kafka|redis|all]

  up        start a single-node KRaft Kafka on 127.0.0.1:9092 and Redis on 127.0.0.1:6379 (idempotent)
  down      stop them
  status    say which are up, with pid, port and log file
  install   fetch the Kafka jars from Maven Central and install redis-server and prometheus (Debian,
            as root) and the embedding model; idempotent

The second argument picks one component (default all). Runs scripts/infra.sh; state lives under .infra/.
Also read from the environment: KAFKA_PORT, REDIS_PORT, KAFKA_NUM_PARTITIONS, KAFKA_HEAP_OPTS, INFRA_DIR.`,
  async run(argv, io) {
    const p = parseFlags(argv, {}, 'infra', 2);
    const [action, target = 'all'] = p.positionals;
    if (!action) throw new UsageError('infra needs an action: up, down, status or install', 'infra');
    if (!(INFRA_ACTIONS as readonly string[]).includes(action)) throw new UsageError(`unknown infra action "${action}" (up, down, status, install)`, 'infra');
    if (!(INFRA_TARGETS as readonly string[]).includes(target)) throw new UsageError(`unknown infra target "${target}" (kafka, redis, all)`, 'infra');
    return runChild('bash', [path.join(ROOT, 'scripts/infra.sh'), action, target], io.env);
  },
};
