import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, ROOT } from './services';

const run = promisify(execFile);

export interface OwnKafka {
  brokers: string;
  /** The port the broker listens on (clients are sent to `advertisedPort` when one was given). */
  port: number;
  kafka: Kafka;
  /** Stops the broker as an operator would (scripts/infra.sh down: SIGTERM, clean shutdown). */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data; resolves once it serves. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

/**
 * A single-node KRaft broker of the test's own, started by the project's scripts/infra.sh under a
 * folder of its own, with the jars that `infra.sh install` put in .infra/kafka/libs: a test can stop
 * and restart it without touching the broker every other test shares. About 5 s to start, 1 GiB heap.
 * advertisedPort: the port the broker tells clients to use (a proxy in front of it, say); kafkajs
 * connects there for everything after the first metadata request.
 */
export async function startOwnKafka(opts: { advertisedPort?: number } = {}): Promise<OwnKafka> {
  const libs = path.join(process.env.INFRA_DIR ?? path.join(ROOT, '.infra'), 'kafka', 'libs');
  if (!fs.existsSync(libs)) throw new Error(`no Kafka jars in ${libs}: run scripts/infra.sh install`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'trendcast-kafka-'));
  fs.mkdirSync(path.join(home, 'kafka'));
  fs.symlinkSync(libs, path.join(home, 'kafka', 'libs'));
  const port = await freePort();
  const controller = await freePort();
  const env = { ...process.env, INFRA_DIR: home, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controller), KAFKA_ADVERTISED_PORT: String(opts.advertisedPort ?? port), KAFKA_HEAP_OPTS: '-Xms256m -Xmx512m' };
  const infra = (action: 'up' | 'down') => run('bash', [path.join(ROOT, 'scripts/infra.sh'), action, 'kafka'], { env }).then(() => undefined);
  const brokers = `127.0.0.1:${port}`;
  await infra('up');
  const stop = () => infra('down');
  return {
    brokers,
    port,
    kafka: new Kafka({ clientId: 'trendcast-test-own', brokers: [brokers], logLevel: logLevel.NOTHING }),
    stop,
    start: () => infra('up'),
    close: async () => {
      await stop();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
