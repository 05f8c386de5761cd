import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { MessagingMetrics } from '../src/internal/metrics/messaging-metrics';

class TestMetricReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected onForceFlush = async () => undefined;
  protected onShutdown = async () => undefined;
}

function meterProvider() {
  const reader = new TestMetricReader();
  const provider = new MeterProvider({ readers: [reader] });
  const points = async (name: string) => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .filter((metric) => metric.descriptor.name === name)
      .flatMap((metric) => metric.dataPoints as DataPoint<number | Histogram>[]);
  };
  return { meter: provider.getMeter('test'), points };
}

const topic = { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' };

describe('MessagingMetrics: the messaging conventions’ client metrics', () => {
  it('counts sent messages per destination and times the send, with error.type when it failed', async () => {
    const { meter, points } = meterProvider();
    const metrics = new MessagingMetrics(meter);
    await metrics.measureSend([{ attributes: { ...topic, 'messaging.operation.name': 'send' }, messages: 3 }], async () => 'ok');
    class KafkaJSNumberOfRetriesExceeded extends Error {}
    await expect(
      metrics.measureSend([{ attributes: { ...topic, 'messaging.operation.name': 'send' }, messages: 2 }], () =>
        Promise.reject(new KafkaJSNumberOfRetriesExceeded('down')),
      ),
    ).rejects.toThrow('down');

    const sent = await points('messaging.client.sent.messages');
    expect(sent.map((p) => [p.attributes['error.type'], p.value])).toEqual([
      [undefined, 3],
      ['KafkaJSNumberOfRetriesExceeded', 2],
    ]);
    const durations = await points('messaging.client.operation.duration');
    expect(durations.map((p) => [p.attributes['error.type'], (p.value as Histogram).count])).toEqual([
      [undefined, 1],
      ['KafkaJSNumberOfRetriesExceeded', 1],
    ]);
  });

  it('times processing with error.type (_OTHER for a thrown non-Error) and the produce→process latency', async () => {
    const { meter, points } = meterProvider();
    const metrics = new MessagingMetrics(meter);
    const attributes = { ...topic, 'messaging.consumer.group.name': 'billing', 'messaging.operation.name': 'process' };
    metrics.consumed(attributes, 2);
    await metrics.measureProcess(attributes, Date.now() - 1500, async () => undefined);
    await expect(metrics.measureProcess(attributes, undefined, () => Promise.reject('plain string'))).rejects.toBe('plain string');

    expect((await points('messaging.client.consumed.messages')).map((p) => p.value)).toEqual([2]);
    const processed = await points('messaging.process.duration');
    expect(processed.map((p) => [p.attributes['error.type'], (p.value as Histogram).count])).toEqual([
      [undefined, 1],
      ['_OTHER', 1],
    ]);
    const latency = (await points('tracehop.messaging.produce_to_process.duration')).map((p) => p.value as Histogram);
    expect(latency).toHaveLength(1);
    expect(latency[0].sum).toBeGreaterThanOrEqual(1.5);
  });

  it('follows a new meter: instruments are swapped for producers and consumers that already hold the object', async () => {
    const first = meterProvider();
    const second = meterProvider();
    const metrics = new MessagingMetrics(first.meter);
    metrics.useMeter(second.meter);
    metrics.consumed(topic, 1);
    expect(await first.points('messaging.client.consumed.messages')).toEqual([]);
    expect((await second.points('messaging.client.consumed.messages')).map((p) => p.value)).toEqual([1]);
  });
});
