import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload, Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
// The module object itself, so Nest's Kafka transport (which requires kafkajs) gets the patched one.
import kafkajs = require('kafkajs');
import { eventually } from '../../../test/support/eventually';
import { kafkaBrokers } from '../../../test/support/kafka-source';
import { withTopics } from '../../../test/support/kafka-topics';
import { TracehopKafkaJsInstrumentation } from '../src/kafka/kafkajs-instrumentation';
import { KafkaHandlerTracingInterceptor } from '../src/nest/kafka-handler-tracing.interceptor';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const instrumentation = new TracehopKafkaJsInstrumentation({ hopMode: 'child' });
const topic = `nest-orders-${randomUUID()}`;
const handled: { orderId: string; activeSpanId?: string }[] = [];

@Controller()
class OrdersController {
  @EventPattern(topic)
  onOrderCreated(@Payload() order: { orderId: string }): void {
    handled.push({ orderId: order.orderId, activeSpanId: trace.getActiveSpan()?.spanContext().spanId });
  }
}

@Module({ controllers: [OrdersController] })
class OrdersModule {}

describe('Nest Kafka transport handlers (real broker)', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    instrumentation.setTracerProvider(provider);
    instrumentation.patch(kafkajs);
  });

  afterAll(() => {
    instrumentation.unpatch(kafkajs);
    context.disable();
  });

  it('an @EventPattern handler runs inside the process span, which carries the pattern and the handler', async () => {
    const app = await NestFactory.createMicroservice<MicroserviceOptions>(OrdersModule, {
      logger: false,
      transport: Transport.KAFKA,
      options: {
        client: { clientId: 'nest-orders', brokers: kafkaBrokers().split(','), logLevel: kafkajs.logLevel.NOTHING },
        consumer: { groupId: `${topic}-group` },
        subscribe: { fromBeginning: true },
      },
    });
    app.useGlobalInterceptors(new KafkaHandlerTracingInterceptor());
    const kafka = new kafkajs.Kafka({
      clientId: 'nest-test-producer',
      brokers: kafkaBrokers().split(','),
      logLevel: kafkajs.logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await withTopics(kafka, [topic], async () => {
      try {
        await app.listen();
        await producer.connect();
        await producer.send({ topic, messages: [{ value: JSON.stringify({ orderId: 'o-1' }) }] });
        await eventually('handler call', 20, async () => (handled.length ? true : undefined));
      } finally {
        await producer.disconnect();
        await app.close();
      }
    });
    const send = exporter.getFinishedSpans().find((s) => s.name === `send ${topic}`)!;
    const process = await eventually('process span', 10, async () =>
      exporter.getFinishedSpans().find((s) => s.name === `process ${topic}`),
    );
    expect(handled).toEqual([{ orderId: 'o-1', activeSpanId: process.spanContext().spanId }]);
    expect(process.kind).toBe(SpanKind.CONSUMER);
    expect(process.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
    expect(process.attributes).toMatchObject({
      'tracehop.nest.pattern': topic,
      'tracehop.nest.handler': 'OrdersController.onOrderCreated',
      'messaging.consumer.group.name': `${topic}-group-server`,
    });
  });
});
