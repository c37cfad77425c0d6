import { consumerSpec } from '../../../shared/adapters/consumer-service';
import { parseConfig, describe as describeSpec } from '../../../shared/config/spec';
import { ConfigError } from '../../../shared/errors';

describe('config', () => {
  test('defaults when unset', () => {
    const c = parseConfig(consumerSpec, {});
    expect(c.SMOOTHING_ALPHA).toBe(0.3);
    expect(c.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(c.BUCKET_MS).toBe(86400000);
  });

  test('brokers: names, IPv4 and bracketed IPv6 with a port are taken', () => {
    expect(parseConfig(consumerSpec, { KAFKA_BROKERS: 'kafka-1.internal:9092,10.0.0.7:19092,[::1]:65535' }).KAFKA_BROKERS).toEqual(['kafka-1.internal:9092', '10.0.0.7:19092', '[::1]:65535']);
  });

  test('parses typed values', () => {
    const c = parseConfig(consumerSpec, { SMOOTHING_ALPHA: '0.5', KAFKA_BROKERS: 'a:1, b:2', FROM_BEGINNING: 'false', LOG_LEVEL: 'debug' });
    expect([c.SMOOTHING_ALPHA, c.KAFKA_BROKERS, c.FROM_BEGINNING, c.LOG_LEVEL]).toEqual([0.5, ['a:1', 'b:2'], false, 'debug']);
  });

  test.each([
    ['SMOOTHING_ALPHA', 'abc', /SMOOTHING_ALPHA: "abc" is not a number/],
    ['SMOOTHING_ALPHA', '1.5', /SMOOTHING_ALPHA: 1.5 is above the maximum 1/],
    ['BUCKET_MS', '10.5', /BUCKET_MS: "10.5" is not an integer/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: "loud" is not one of/],
    ['REDIS_URL', 'localhost:6379', /REDIS_URL/],
    ['FROM_BEGINNING', 'maybe', /FROM_BEGINNING: "maybe" is not a boolean/],
    ['KAFKA_BROKERS', ',', /KAFKA_BROKERS: "," has no items/],
    ['KAFKA_BROKERS', 'localhost', /KAFKA_BROKERS: "localhost" is not of the form host:port/],
    ['KAFKA_BROKERS', 'a:9092,b:70000', /KAFKA_BROKERS: "b:70000" is not of the form host:port \(port 1..65535\)/],
    ['KAFKA_BROKERS', 'kafka:0', /KAFKA_BROKERS: "kafka:0" is not of the form/],
    ['RETRY_INITIAL_MS', '50000', /RETRY_INITIAL_MS: 50000 is above RETRY_MAX_MS \(10000\)/],
  ])('a bad %s stops with a message naming it', (name, value, msg) => {
    let err: unknown;
    try {
      parseConfig(consumerSpec, { [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(name);
    expect((err as Error).message).toMatch(msg);
  });

  test('the spec documents every variable', () => {
    const table = describeSpec(consumerSpec);
    for (const name of Object.keys(consumerSpec)) expect(table).toContain(`\`${name}\``);
  });
});
