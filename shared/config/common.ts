import type { ValidationLimits } from '../domain/validation';
import type { ConfigOf, Spec } from './spec';

/** Variables every pipeline service reads. Service-specific ones live beside each service's main.ts. */
export const kafkaSpec = {
  KAFKA_BROKERS: {
    kind: 'list', default: ['127.0.0.1:9092'], doc: 'Kafka bootstrap brokers, comma-separated host:port',
    // kafkajs takes a broker without a port and fails only later, with a message that names no variable
    item: { pattern: /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/, form: 'host:port (port 1..65535)' },
  },
  KAFKA_CLIENT_ID: { kind: 'string', default: 'trendcast', doc: 'Kafka client id prefix' },
  TOPIC_PREFIX: { kind: 'string', default: '', pattern: /^[A-Za-z0-9._-]*$/, doc: 'Prefix of every topic name (tests use a random one)' },
  CONSUMER_BATCH_MAX_BYTES: { kind: 'int', default: 4194304, min: 1024, doc: 'Max bytes per partition fetch' },
  // kafkajs decodes a whole fetch response in one go on the consumer's one thread, which meanwhile
  // sends nothing to Redis and reads none of its replies: at kafkajs's 10 MiB Redis sat idle
  CONSUMER_FETCH_MAX_BYTES: { kind: 'int', default: 4194304, min: 1024, doc: 'Max bytes of one fetch over all partitions (a smaller fetch keeps the store fed between them)' },
  RETRY_INITIAL_MS: { kind: 'int', default: 200, min: 1, atMost: 'RETRY_MAX_MS', doc: 'First backoff of a retried transient failure' },
  RETRY_MAX_MS: { kind: 'int', default: 10000, min: 1, doc: 'Largest backoff' },
  RETRY_COUNT: { kind: 'int', default: 8, min: 0, doc: 'Retries of a transient failure before the consumer restarts the batch' },
} satisfies Spec;

export const redisSpec = {
  REDIS_URL: { kind: 'string', default: 'redis://127.0.0.1:6379', pattern: /^rediss?:\/\//, doc: 'Redis URL of a standalone Redis (a Redis Cluster node stops start-up: README "Redis Cluster")' },
  KEY_PREFIX: { kind: 'string', default: 'tc', pattern: /^[A-Za-z0-9._-]+$/, doc: 'Prefix of every Redis key' },
} satisfies Spec;

/**
 * Of the services that pass it to their Redis client (shared/adapters/redis/connection.ts); the
 * forecaster does not yet and uses the same default. Well above the longest single command (a
 * script call of 2,000 events takes milliseconds), or a slow one would be cut and sent again.
 */
export const redisTimeoutSpec = {
  REDIS_TIMEOUT_MS: {
    kind: 'int', default: 10000, min: 100, max: 600000,
    doc: 'No reply from Redis for this long while a command waits: the connection is dropped and made again (/readyz 503 meanwhile) and the command fails as retriable; bounds a network partition, which closes no socket',
  },
} satisfies Spec;

export const seriesSpec = {
  BUCKET_MS: { kind: 'int', default: 86400000, min: 1000, doc: 'Demand bucket length in ms (default one UTC day)' },
  SERIES_MAX_BUCKETS: { kind: 'int', default: 400, min: 8, max: 5000, doc: 'Buckets of demand kept per product' },
  SMOOTHING_ALPHA: { kind: 'float', default: 0.3, min: 0.001, max: 1, doc: 'Level smoothing factor alpha' },
  SMOOTHING_BETA: { kind: 'float', default: 0.1, min: 0, max: 1, doc: 'Holt trend smoothing factor beta (0 = SES)' },
  REVIEW_EMBEDDING_DECAY: { kind: 'float', default: 0.1, min: 0.001, max: 1, doc: 'Weight of a new review in the decayed mean of review embeddings' },
} satisfies Spec;

export const validationSpec = {
  MAX_ORDER_QUANTITY: { kind: 'int', default: 100000, min: 1, doc: 'Orders with |quantity| above this go to the DLQ' },
  MAX_UNIT_PRICE: { kind: 'float', default: 1000000, min: 1, doc: 'Prices above this go to the DLQ' },
  MAX_TEXT_CHARS: { kind: 'int', default: 10000, min: 16, doc: 'Longer review/listing texts go to the DLQ' },
  MAX_FUTURE_SKEW_MS: { kind: 'int', default: 86400000, min: 0, doc: 'Events dated further in the future go to the DLQ' },
} satisfies Spec;

/** The validation limits of a parsed config that includes validationSpec. */
export function validationLimits(c: ConfigOf<typeof validationSpec>): ValidationLimits {
  return { maxOrderQuantity: c.MAX_ORDER_QUANTITY, maxUnitPrice: c.MAX_UNIT_PRICE, maxTextChars: c.MAX_TEXT_CHARS, maxFutureSkewMs: c.MAX_FUTURE_SKEW_MS };
}

export const serviceSpec = {
  LOG_LEVEL: { kind: 'enum', values: ['debug', 'info', 'warn', 'error', 'silent'], default: 'info', doc: 'Log level' },
  METRICS_PORT: { kind: 'int', default: 9464, min: 0, max: 65535, doc: 'Port of /metrics, /healthz, /readyz (0 = any free port)' },
} satisfies Spec;

export const embeddingSpec = {
  EMBEDDING_MODEL_ID: { kind: 'string', default: 'Xenova/all-MiniLM-L6-v2', doc: 'transformers.js model id (a folder under EMBEDDING_MODEL_DIR, or a hub id)' },
  EMBEDDING_MODEL_DIR: { kind: 'string', default: 'models', doc: 'Local model folder (scripts/install-model.sh fills it)' },
  EMBEDDING_ALLOW_REMOTE: { kind: 'bool', default: false, doc: 'Allow downloading the model from the hub' },
  EMBEDDING_BATCH_SIZE: { kind: 'int', default: 32, min: 1, max: 1024, doc: 'Texts per model call' },
  EMBEDDING_QUANTIZED: {
    kind: 'bool', default: false,
    doc: 'Use the int8 model (onnx/model_quantized.onnx): ~1.7x faster, but its dynamic quantization makes a text\'s vector depend on the other texts of its batch (up to 0.03 per component); the fp32 default does not',
  },
} satisfies Spec;

/**
 * The consumer group of a service: the configured one, else one per topic prefix. Deployments that
 * share a cluster under different prefixes must not share groups: a group whose members subscribe
 * to different topics gets only the topics its leader asked for, so the others would starve.
 */
export function groupIdOf(configured: string, topicPrefix: string, service: string): string {
  return configured || `${topicPrefix}trendcast-${service}`;
}

/** How a consuming service reads its topics; the defaults differ per service (chunk size). */
export function consumerTuningSpec(defaultChunk: number) {
  return {
    CONSUMER_GROUP: { kind: 'string', default: '', doc: "Consumer group id ('' = <TOPIC_PREFIX>trendcast-<service>)" },
    CONSUMER_CHUNK_SIZE: { kind: 'int', default: defaultChunk, min: 1, max: 100000, doc: 'Messages stored and committed together' },
    CONSUMER_PARTITIONS_CONCURRENTLY: { kind: 'int', default: 3, min: 1, max: 64, doc: 'Partitions processed in parallel by one process' },
    CONSUMER_PENDING_CHUNKS: { kind: 'int', default: 2, min: 1, max: 16, doc: 'Chunks of a partition fetched and in progress before the fetch waits for their commit' },
    // the broker bounds it (group.min/max.session.timeout.ms, 6 s and 30 min by default)
    CONSUMER_SESSION_TIMEOUT_MS: { kind: 'int', default: 30000, min: 1000, max: 1800000, doc: 'How long the group waits for a member that stopped heartbeating (a crashed process) before its partitions move' },
    TOPIC_PARTITIONS: { kind: 'int', default: 3, min: 1, max: 1000, doc: 'Partitions of topics this service creates' },
    FROM_BEGINNING: { kind: 'bool', default: true, doc: 'A new consumer group starts at the oldest offset' },
  } satisfies Spec;
}
