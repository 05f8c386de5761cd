import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type * as KafkaJs from 'kafkajs';
import { TracehopKafkaJsInstrumentation } from '../src/kafka/kafkajs-instrumentation';
import type { TracehopKafkaJsConfig } from '../src/types';

/**
 * A kafkajs stand-in for unit specs: the shape the instrumentation wraps (Kafka, its producer with
 * send, sendBatch and transaction, its consumer's run), recording what reaches "the broker".
 */
export class StandInKafka {
  constructor(readonly config: KafkaJs.KafkaConfig) {}

  producer() {
    const sent: KafkaJs.ProducerRecord[] = [];
    const batches: KafkaJs.ProducerBatch[] = [];
    const ack = (topics: string[]): KafkaJs.RecordMetadata[] =>
      topics.map((topicName) => ({ topicName, partition: 0, errorCode: 0, baseOffset: '0' }));
    const send = async (record: KafkaJs.ProducerRecord) => (sent.push(record), ack([record.topic]));
    const sendBatch = async (batch: KafkaJs.ProducerBatch) => (batches.push(batch), ack((batch.topicMessages ?? []).map((t) => t.topic)));
    const transactionCalls: string[] = [];
    return {
      sent,
      batches,
      transactionCalls,
      send,
      sendBatch,
      transaction: async () => ({
        send,
        sendBatch,
        sendOffsets: async () => void transactionCalls.push('sendOffsets'),
        commit: async () => void transactionCalls.push('commit'),
        abort: async () => void transactionCalls.push('abort'),
        isActive: () => true,
      }),
    };
  }

  admin() {
    return { describeCluster: async () => ({ brokers: [], controller: 1, clusterId: 'MkU3OEVBNTcwNTJENDM2Qk' }) };
  }

  /** Config optional, unlike kafkajs 2.2.4's: a client that defaults it must not trip the instrumentation. */
  consumer(config?: KafkaJs.ConsumerConfig) {
    const consumer = {
      groupId: config?.groupId,
      runConfig: undefined as KafkaJs.ConsumerRunConfig | undefined,
      run: async (runConfig?: KafkaJs.ConsumerRunConfig) => void (consumer.runConfig = runConfig),
    };
    return consumer;
  }
}

export type StandInProducer = ReturnType<StandInKafka['producer']>;
export type StandInConsumer = ReturnType<StandInKafka['consumer']>;

/** An instrumentation patched onto a fresh stand-in module, with spans collected in memory. */
export function instrumentedStandIn(config: TracehopKafkaJsConfig = {}) {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const instrumentation = new TracehopKafkaJsInstrumentation({ hopMode: 'child', ...config });
  instrumentation.setTracerProvider(provider);
  const kafkajs = { Kafka: StandInKafka } as unknown as typeof KafkaJs;
  instrumentation.patch(kafkajs);
  const kafka = (kafkaConfig: Partial<KafkaJs.KafkaConfig> = {}) =>
    new kafkajs.Kafka({ clientId: 'stand-in', brokers: ['kafka-1.internal:9092', 'kafka-2.internal:9093'], ...kafkaConfig });
  return {
    exporter,
    instrumentation,
    kafka,
    producer: (kafkaConfig?: Partial<KafkaJs.KafkaConfig>) => kafka(kafkaConfig).producer() as unknown as StandInProducer,
    consumer: (groupId: string, kafkaConfig?: Partial<KafkaJs.KafkaConfig>) =>
      kafka(kafkaConfig).consumer({ groupId }) as unknown as StandInConsumer,
  };
}

/** A consumed record as kafkajs delivers it: Buffer header values. */
export function consumedMessage(offset: number, headers: Record<string, string> = {}): KafkaJs.KafkaMessage {
  return {
    key: null,
    value: Buffer.from(`value ${offset}`),
    timestamp: String(Date.now()),
    attributes: 0,
    offset: String(offset),
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
  };
}
