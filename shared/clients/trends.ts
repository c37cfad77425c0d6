/**
 * Typed client for the `trends` topic, for teams that consume forecasts (ad bidding, dashboards).
 *
 * Messages are Avro single-object encoded (schemas/trend.avsc). The client reads them tolerantly:
 * a message written with the current schema or a version in schemas/history is resolved to the
 * current `Trend` shape (fields a version lacks take their defaults, e.g. `category: null` for v1);
 * a message of a newer schema this copy of the code does not know is read as a prefix, which the
 * compatibility rules of docs/trends-schema.md make sound (new fields only ever follow the old ones).
 *
 *   import { decodeTrend, subscribeTrends } from 'trendcast/shared/clients/trends';
 *   const sub = await subscribeTrends({ brokers: ['127.0.0.1:9092'], groupId: 'ad-bidding', onTrend: (t) => bid(t) });
 *   ...
 *   await sub.stop();
 */
import { codecFor, type DecodeResult } from '../avro/codec';
import type { HorizonPoint, Trend, TrendDirection } from '../domain/events';
import { PoisonMessageError } from '../errors';
import { createLogger, type Logger } from '../log';
import { createKafka } from '../adapters/kafka/client';
import { KafkaSubscriber } from '../adapters/kafka/subscriber';

export type { HorizonPoint, Trend, TrendDirection };

/** How a message was read: same schema, a known other version, or an unknown newer one (prefix). */
export type SchemaMatch = DecodeResult<Trend>['via'];

export interface TrendMeta {
  topic: string;
  partition: number;
  offset: string;
  via: SchemaMatch;
}

const codec = () => codecFor<Trend>('trend', true);

/**
 * Decodes one `trends` message value. Throws PoisonMessageError (code DECODE_FAILED) for bytes that
 * are not a trend, naming why, e.g. an enum symbol this version does not know.
 */
export function decodeTrend(buf: Buffer): Trend {
  return decodeTrendWithInfo(buf).trend;
}

/** As decodeTrend, and says which schema version matched (to watch an upgrade roll out). */
export function decodeTrendWithInfo(buf: Buffer): { trend: Trend; via: SchemaMatch } {
  const { value, via } = codec().decode(buf);
  // a message of a newer schema read as a prefix lacks fields this version added: give them their defaults
  return { trend: { ...value, category: value.category ?? null }, via };
}

/** Encodes a trend with the current schema (producers, tests). */
export function encodeTrend(t: Trend): Buffer {
  return codec().encode(t);
}

export interface SubscribeTrendsOptions {
  brokers: string[];
  /** Consumer group: instances sharing it split the partitions; each group sees every trend. */
  groupId: string;
  /** Default 'trends' (a deployment with TOPIC_PREFIX uses `${prefix}trends`). */
  topic?: string;
  /** Called once per trend, in partition order; the offset is committed only after it resolves. */
  onTrend: (trend: Trend, meta: TrendMeta) => Promise<void> | void;
  /** Where a new group starts: the oldest retained trend (true) or only new ones (false, default). */
  fromBeginning?: boolean;
  /**
   * A message that cannot be decoded. Default: log a warning and skip it (its offset is committed,
   * so one bad message never stalls the group). Throw here to stop consuming instead.
   */
  onInvalid?: (err: PoisonMessageError, meta: Omit<TrendMeta, 'via'>) => Promise<void> | void;
  clientId?: string;
  log?: Logger;
}

export interface TrendSubscription {
  stop(): Promise<void>;
  /** True once the consumer joined its group. */
  readonly joined: boolean;
  /** Joined, and the broker heard from lately (a fetch or heartbeat within the session timeout + 6 s): for a readiness probe. */
  readonly ready: boolean;
}

/** Subscribes to the trends topic as a consumer group, with commits after each handled message batch. */
export async function subscribeTrends(o: SubscribeTrendsOptions): Promise<TrendSubscription> {
  if (o.brokers.length === 0) throw new Error('subscribeTrends: brokers is empty');
  if (!o.groupId) throw new Error('subscribeTrends: groupId is required');
  const log = o.log ?? createLogger('trends-client', 'warn');
  const kafka = createKafka({ brokers: o.brokers, clientId: o.clientId ?? `trends-client-${o.groupId}` }, log);
  const subscriber = new KafkaSubscriber(kafka, log, { chunkSize: 500, partitionsConcurrently: 1, maxBytesPerPartition: 4 << 20 });
  const onInvalid = o.onInvalid ?? ((err, meta) => log.warn('skipping undecodable trend', { ...meta, code: err.code, reason: err.message }));
  const sub = await subscriber.subscribe({ groupId: o.groupId, topics: [o.topic ?? 'trends'], fromBeginning: o.fromBeginning ?? false }, async (messages) => {
    for (const m of messages) {
      const meta = { topic: m.topic, partition: m.partition, offset: m.offset };
      let decoded: { trend: Trend; via: SchemaMatch };
      try {
        decoded = decodeTrendWithInfo(m.value ?? Buffer.alloc(0));
      } catch (err) {
        if (!(err instanceof PoisonMessageError)) throw err;
        await onInvalid(err, meta);
        continue;
      }
      await o.onTrend(decoded.trend, { ...meta, via: decoded.via });
    }
  });
  return {
    stop: () => sub.stop(),
    get joined() {
      return subscriber.joined;
    },
    get ready() {
      return subscriber.ready;
    },
  };
}
