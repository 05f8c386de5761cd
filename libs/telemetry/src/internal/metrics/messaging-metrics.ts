import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { errorTypeOf } from '../../error-type';
import {
  METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES,
  METRIC_MESSAGING_CLIENT_OPERATION_DURATION,
  METRIC_MESSAGING_CLIENT_SENT_MESSAGES,
  METRIC_MESSAGING_PROCESS_DURATION,
} from '../semconv';

/** The messaging conventions' advice for both duration histograms, in seconds. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

interface Instruments {
  sent: Counter;
  consumed: Counter;
  operationDuration: Histogram;
  processDuration: Histogram;
  produceToProcess: Histogram;
}

function createInstruments(meter: Meter): Instruments {
  const duration = (name: string, description: string) =>
    meter.createHistogram(name, { description, unit: 's', advice: { explicitBucketBoundaries: DURATION_BUCKETS } });
  return {
    sent: meter.createCounter(METRIC_MESSAGING_CLIENT_SENT_MESSAGES, {
      description: 'Number of messages producer attempted to send to the broker.',
      unit: '{message}',
    }),
    consumed: meter.createCounter(METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES, {
      description: 'Number of messages that were delivered to the application.',
      unit: '{message}',
    }),
    operationDuration: duration(
      METRIC_MESSAGING_CLIENT_OPERATION_DURATION,
      'Duration of messaging operation initiated by a producer or consumer client.',
    ),
    processDuration: duration(METRIC_MESSAGING_PROCESS_DURATION, 'Duration of processing operation.'),
    // Not a convention: the time a record waited between its send and the end of its processing,
    // across processes (the producer's clock, from the tracehop-produced-at header).
    produceToProcess: meter.createHistogram('tracehop.messaging.produce_to_process.duration', {
      description: 'From send (tracehop-produced-at header) to the end of processing',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] },
    }),
  };
}

const seconds = (since: number) => (performance.now() - since) / 1000;

/**
 * The messaging semantic conventions' client metrics for kafkajs, plus tracehop's produce→process
 * latency. One object per instrumentation: `useMeter` swaps the instruments when the instrumentation
 * gets a new meter provider, and producers and consumers created earlier follow.
 */
export class MessagingMetrics {
  private instruments: Instruments;

  constructor(meter: Meter) {
    this.instruments = createInstruments(meter);
  }

  useMeter(meter: Meter): void {
    this.instruments = createInstruments(meter);
  }

  /**
   * One send (or sendBatch) call: `messages` attempted per destination, and the call's duration.
   * `errorType` when the broker refused or the call failed.
   */
  async measureSend<T>(destinations: { attributes: Attributes; messages: number }[], send: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const record = (errorType: string | undefined) => {
      const { sent, operationDuration } = this.instruments;
      const error = errorType === undefined ? {} : { [ATTR_ERROR_TYPE]: errorType };
      for (const { attributes, messages } of destinations) {
        sent.add(messages, { ...attributes, ...error });
        operationDuration.record(seconds(started), { ...attributes, ...error });
      }
    };
    try {
      const result = await send();
      record(undefined);
      return result;
    } catch (error) {
      record(errorTypeOf(error));
      throw error;
    }
  }

  /** Records delivered to the application: once per record, when its batch or message is handed over. */
  consumed(attributes: Attributes, messages: number): void {
    this.instruments.consumed.add(messages, attributes);
  }

  /**
   * One record's processing: its duration (with error.type when the handler threw) and, when the
   * record says when it was sent, the latency from send to here.
   */
  async measureProcess<T>(attributes: Attributes, producedAt: number | undefined, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    let errorType: string | undefined;
    try {
      return await work();
    } catch (error) {
      errorType = errorTypeOf(error);
      throw error;
    } finally {
      const { processDuration, produceToProcess } = this.instruments;
      processDuration.record(seconds(started), errorType === undefined ? attributes : { ...attributes, [ATTR_ERROR_TYPE]: errorType });
      if (producedAt !== undefined) produceToProcess.record(Math.max(0, Date.now() - producedAt) / 1000, attributes);
    }
  }
}
