import type { Context } from '@opentelemetry/api';
import type { Message } from 'kafkajs';
import { setSendContext } from '../internal/kafka/send-contexts';

/**
 * Marks a message to be sent in the given context rather than the active one: its `send` span
 * becomes a child of that context's span and its headers carry it. For a batch whose messages
 * belong to different traces (an outbox relay publishing rows written by different requests) sent
 * in one `send`/`sendBatch` call. Returns the message itself.
 */
export function messageInContext<M extends Message>(message: M, context: Context): M {
  setSendContext(message, context);
  return message;
}
