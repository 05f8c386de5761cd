import { context, diag, SpanKind, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { Message, Producer, ProducerBatch, ProducerRecord, RecordMetadata } from 'kafkajs';
import { PRODUCED_AT_HEADER } from '../../headers';
import { recordFailure } from '../../kafka/span-outcome';
import { withTraceHeaders } from '../../kafka/trace-headers';
import type { TracehopKafkaJsConfig } from '../../types';
import type { MessagingMetrics } from '../metrics/messaging-metrics';
import {
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_KAFKA_OFFSET,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
} from '../semconv';
import { instrumentOrLeave, runHook } from './guarded';
import { messageAttributes, metricAttributes, type MessageAttributeOptions } from './message-attributes';
import { originLinks } from './republished-record';
import { sendContextOf } from './send-contexts';

export interface ProducerTracing extends MessageAttributeOptions {
  tracer: Tracer;
  metrics: MessagingMetrics;
  hook?: TracehopKafkaJsConfig['producerHook'];
}

interface SentMessage {
  topic: string;
  message: Message;
  span: Span;
  /** The send span's context: what the record's headers carry. */
  context: Context;
}

function startSendSpan(tracing: ProducerTracing, topic: string, message: Message): SentMessage {
  const parent = sendContextOf(message) ?? context.active();
  const span = tracing.tracer.startSpan(
    `send ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        ...messageAttributes(tracing, topic, message),
        [ATTR_MESSAGING_OPERATION_TYPE]: 'send',
        [ATTR_MESSAGING_OPERATION_NAME]: 'send',
        [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: message.partition === undefined ? undefined : String(message.partition),
      },
      links: originLinks(message.headers),
    },
    parent,
  );
  return { topic, message, span, context: trace.setSpan(parent, span) };
}

/**
 * Partition and offset from the broker's acknowledgement. kafkajs answers per topic-partition with
 * the first offset written there; a message's offset follows from its place among the messages that
 * went to that partition, which is known when the topic got one partition or the caller chose them.
 */
function recordAcknowledgement(sent: SentMessage[], metadata: RecordMetadata[]): void {
  for (const topic of new Set(sent.map((s) => s.topic))) {
    const acks = metadata.filter((m) => m.topicName === topic);
    const toTopic = sent.filter((s) => s.topic === topic);
    for (const ack of acks) {
      const toPartition = acks.length === 1 ? toTopic : toTopic.filter((s) => s.message.partition === ack.partition);
      if (acks.length > 1 && toTopic.some((s) => s.message.partition === undefined)) continue;
      toPartition.forEach(({ span }, index) => {
        span.setAttribute(ATTR_MESSAGING_DESTINATION_PARTITION_ID, String(ack.partition));
        if (ack.baseOffset !== undefined) span.setAttribute(ATTR_MESSAGING_KAFKA_OFFSET, Number(ack.baseOffset) + index);
      });
    }
  }
}

/**
 * One `send <topic>` PRODUCER span per message; the messages actually sent are copies whose headers
 * carry that span's context (the caller's objects are not touched). The caller's arguments are first
 * read inside the guard: if tracing fails, malformed arguments included, the call goes to kafkajs
 * untraced, which answers (or rejects) exactly as without tracehop.
 */
function traceSend(
  tracing: ProducerTracing,
  messagesOf: () => { topic: string; message: Message }[],
  send: (traced: Message[]) => Promise<RecordMetadata[]>,
  sendUntraced: () => Promise<RecordMetadata[]>,
): Promise<RecordMetadata[]> {
  let sent: SentMessage[];
  let traced: Message[];
  try {
    sent = messagesOf().map(({ topic, message }) => startSendSpan(tracing, topic, message));
    const producedAt = String(Date.now());
    traced = sent.map(({ topic, message, span, context: sendContext }) => {
      const headers = withTraceHeaders(message.headers, sendContext);
      for (const key of Object.keys(headers)) if (key.toLowerCase() === PRODUCED_AT_HEADER) delete headers[key];
      const outgoing = { ...message, headers: { ...headers, [PRODUCED_AT_HEADER]: producedAt } };
      runHook('producerHook', tracing.hook, span, { topic, message: outgoing });
      return outgoing;
    });
  } catch (error) {
    diag.error('tracehop kafka: could not trace a send; sending untraced', error);
    return sendUntraced();
  }
  const perTopic = new Map<string, number>();
  for (const { topic } of sent) perTopic.set(topic, (perTopic.get(topic) ?? 0) + 1);
  const destinations = [...perTopic].map(([topic, messages]) => ({ attributes: metricAttributes(tracing, topic, 'send'), messages }));
  return tracing.metrics
    .measureSend(destinations, () => send(traced))
    .then(
      (metadata) => {
        recordAcknowledgement(sent, metadata);
        sent.forEach(({ span }) => span.end());
        return metadata;
      },
      (error: unknown) => {
        sent.forEach(({ span }) => {
          recordFailure(span, error);
          span.end();
        });
        throw error;
      },
    );
}

type Sender = Pick<Producer, 'send' | 'sendBatch'>;

/** Replaces the sender's send and sendBatch (a producer's, or a transaction's) with traced ones. */
function traceSends(tracing: ProducerTracing, sender: Sender): void {
  const send = sender.send.bind(sender);
  const sendBatch = sender.sendBatch.bind(sender);
  sender.send = (record: ProducerRecord) =>
    traceSend(
      tracing,
      () => record.messages.map((message) => ({ topic: record.topic, message })),
      (traced) => send({ ...record, messages: traced }),
      () => send(record),
    );
  sender.sendBatch = (batch: ProducerBatch) =>
    traceSend(
      tracing,
      () => (batch.topicMessages ?? []).flatMap(({ topic, messages }) => messages.map((message) => ({ topic, message }))),
      (traced) => {
        let next = 0;
        const rebuilt = (batch.topicMessages ?? []).map((tm) => ({ ...tm, messages: tm.messages.map(() => traced[next++]) }));
        return sendBatch({ ...batch, topicMessages: rebuilt });
      },
      () => sendBatch(batch),
    );
}

/**
 * Traces a producer's sends, plain and transactional: kafkajs' transaction object sends through
 * its own internal sender, not the producer's send, so each transaction is traced as it begins.
 */
export function traceProducer(tracing: ProducerTracing, producer: Producer): void {
  traceSends(tracing, producer);
  const transaction = producer.transaction.bind(producer);
  producer.transaction = () =>
    transaction().then((begun) => {
      instrumentOrLeave('transaction', () => traceSends(tracing, begun));
      return begun;
    });
}
