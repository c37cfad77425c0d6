/**
 * The worker-thread side of ThreadedPublisher (threaded-publisher.ts): a KafkaPublisher of its own
 * (its own kafkajs client and connections), answering connect, publish and disconnect requests.
 * Publishes run concurrently, as on the main thread (the forecaster keeps two in flight).
 */
import { parentPort, workerData } from 'worker_threads';
import { createLogger, type LogLevel } from '../../log';
import { createKafka } from './client';
import { KafkaPublisher } from './publisher';
import { unpackMessages, type PublishReply, type PublishRequest, type PublishThreadData } from './publish-thread-protocol';

const port = parentPort!;
const data = workerData as PublishThreadData;
const log = createLogger(data.service, data.logLevel as LogLevel, { thread: 'publisher' });
const publisher = new KafkaPublisher(createKafka(data.kafka, log));

function handle(m: PublishRequest): Promise<void> {
  if (m.kind === 'connect') return publisher.connect();
  if (m.kind === 'disconnect') return publisher.disconnect();
  return publisher.publish(m.topic, unpackMessages(m.packed));
}

port.on('message', (m: PublishRequest) => {
  handle(m).then(
    () => port.postMessage({ id: m.id, ok: true } satisfies PublishReply),
    (err: unknown) => port.postMessage({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies PublishReply),
  );
});
