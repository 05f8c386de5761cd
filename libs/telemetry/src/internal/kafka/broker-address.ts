import type { Attributes } from '@opentelemetry/api';
import { ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '@opentelemetry/semantic-conventions';
import type { KafkaConfig } from 'kafkajs';

/** `host:port` or `[v6-address]:port`, as kafkajs takes brokers. */
const BROKER = /^\[?(?<host>[^\]]+?)\]?:(?<port>\d+)$/;

/**
 * server.address and server.port of the client's spans: the first broker the client was configured
 * with (kafkajs bootstraps from it; which broker leads a partition is not visible on the public API).
 * Nothing when brokers come from a function (discovered at connect time) or the entry is no host:port.
 */
export function brokerAttributes(brokers: KafkaConfig['brokers'] | undefined): Attributes {
  const match = Array.isArray(brokers) ? BROKER.exec(brokers[0] ?? '') : null;
  return match?.groups ? { [ATTR_SERVER_ADDRESS]: match.groups.host, [ATTR_SERVER_PORT]: Number(match.groups.port) } : {};
}
