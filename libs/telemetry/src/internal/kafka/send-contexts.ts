import type { Context } from '@opentelemetry/api';
import type { Message } from 'kafkajs';

/** The context messageInContext gave a message, read by the producer wrapper when it starts the send span. */
const sendContexts = new WeakMap<Message, Context>();

export function setSendContext(message: Message, context: Context): void {
  sendContexts.set(message, context);
}

export function sendContextOf(message: Message): Context | undefined {
  return sendContexts.get(message);
}
