import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import { defineCounter, defineHistogram } from '../../metrics/instruments';
import { ATTR_MESSAGING_CONSUMER_GROUP_NAME, ATTR_MESSAGING_DESTINATION_NAME } from '../semconv';

/** Consumer-side messaging metrics, by topic and consumer group. */
export class MessagingMetrics {
  private readonly consumed: Counter;
  private readonly processed: Counter;
  private readonly failed: Counter;
  private readonly latency: Histogram;

  constructor(meter: Meter) {
    this.consumed = defineCounter(meter, 'tracehop.messaging.consumed', { description: 'Records handed to a handler', unit: '{message}' });
    this.processed = defineCounter(meter, 'tracehop.messaging.processed', {
      description: 'Records whose handler succeeded',
      unit: '{message}',
    });
    this.failed = defineCounter(meter, 'tracehop.messaging.failed', { description: 'Records whose handler threw', unit: '{message}' });
    this.latency = defineHistogram(meter, 'tracehop.messaging.produce_to_process.duration', {
      description: 'From send (tracehop-produced-at header) to the end of processing',
      unit: 's',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    });
  }

  /** Wraps one record's processing, recording counts and, when the header is there, end-to-end latency. */
  async measure<T>(topic: string, groupId: string, producedAt: number | undefined, work: () => Promise<T>): Promise<T> {
    const attributes: Attributes = { [ATTR_MESSAGING_DESTINATION_NAME]: topic, [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: groupId };
    this.consumed.add(1, attributes);
    try {
      const result = await work();
      this.processed.add(1, attributes);
      return result;
    } catch (error) {
      this.failed.add(1, attributes);
      throw error;
    } finally {
      if (producedAt !== undefined) this.latency.record(Math.max(0, Date.now() - producedAt) / 1000, attributes);
    }
  }
}
