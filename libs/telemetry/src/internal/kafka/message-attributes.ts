import type { Attributes } from '@opentelemetry/api';
import { MESSAGE_ID_HEADER } from '../../headers';
import type { KafkaHeaders, MessageKeyMode } from '../../types';
import {
  ATTR_MESSAGING_CLIENT_ID,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_KAFKA_MESSAGE_KEY,
  ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_SYSTEM_VALUE_KAFKA,
} from '../semconv';
import { headerValues } from './header-values';
import { messageKeyAttribute } from './message-key';

/** How a side (producer or consumer) names itself and shows message keys on its spans. */
export interface MessageAttributeOptions {
  clientId?: string;
  /**
   * The client's connection: server.address and server.port of its bootstrap broker (brokerAttributes),
   * and kafka.cluster.id once the client has learnt it; possibly none.
   */
  connection: Attributes;
  messageKey: MessageKeyMode;
  messageKeySalt: string;
}

/** The attributes a message's `send` and `process` spans share; each side adds its operation. */
export function messageAttributes(
  options: MessageAttributeOptions,
  topic: string,
  message: { key?: Buffer | string | null; value: Buffer | string | null; headers?: KafkaHeaders },
): Attributes {
  return {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_VALUE_KAFKA,
    [ATTR_MESSAGING_DESTINATION_NAME]: topic,
    [ATTR_MESSAGING_CLIENT_ID]: options.clientId,
    ...options.connection,
    [ATTR_MESSAGING_KAFKA_MESSAGE_KEY]: messageKeyAttribute(message.key, options.messageKey, options.messageKeySalt),
    [ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE]: message.key != null && message.value === null ? true : undefined,
    [ATTR_MESSAGING_MESSAGE_ID]: headerValues(message.headers, MESSAGE_ID_HEADER)[0],
  };
}

/**
 * The attributes of a messaging client metric point: low-cardinality only (no key, offset or
 * message id), as the conventions list them for the metric's operation.
 */
export function metricAttributes(
  options: MessageAttributeOptions,
  topic: string,
  operationName: string,
  extra: Attributes = {},
): Attributes {
  return {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_VALUE_KAFKA,
    [ATTR_MESSAGING_OPERATION_NAME]: operationName,
    [ATTR_MESSAGING_DESTINATION_NAME]: topic,
    ...options.connection,
    ...extra,
  };
}
