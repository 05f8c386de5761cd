import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
// The module object itself, so the patch reaches it; no broker: every call here fails in kafkajs' own validation.
import kafkajs = require('kafkajs');
import { TracehopKafkaJsInstrumentation } from '../src/kafka/kafkajs-instrumentation';
import { StandInKafka } from './kafka-stand-in';

type Outcome = { shape: 'thrown' | 'rejected'; error: string } | { shape: 'resolved' };

/** How a call ends, synchronous throw and rejection told apart. */
async function outcome(call: () => unknown): Promise<Outcome> {
  const describe = (error: unknown) => (error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error));
  let pending: unknown;
  try {
    pending = call();
  } catch (error) {
    return { shape: 'thrown', error: describe(error) };
  }
  try {
    await pending;
    return { shape: 'resolved' };
  } catch (error) {
    return { shape: 'rejected', error: describe(error) };
  }
}

const client = () => new kafkajs.Kafka({ clientId: 'malformed', brokers: ['127.0.0.1:9'], logLevel: kafkajs.logLevel.NOTHING });
const calls: [string, (kafka: kafkajs.Kafka) => unknown][] = [
  ['send(undefined)', (kafka) => kafka.producer().send(undefined as never)],
  ['send without messages', (kafka) => kafka.producer().send({ topic: 't' } as never)],
  ['send with messages not an array', (kafka) => kafka.producer().send({ topic: 't', messages: 'x' } as never)],
  ['sendBatch(undefined)', (kafka) => kafka.producer().sendBatch(undefined as never)],
  ['sendBatch with topicMessages not an array', (kafka) => kafka.producer().sendBatch({ topicMessages: 'x' } as never)],
  ['sendBatch with a topic without messages', (kafka) => kafka.producer().sendBatch({ topicMessages: [{ topic: 't' }] } as never)],
  ['consumer(undefined)', (kafka) => kafka.consumer(undefined as never)],
  ['consumer(null)', (kafka) => kafka.consumer(null as never)],
];

describe('malformed arguments: kafkajs answers exactly as it does untraced', () => {
  const untraced = new Map<string, Outcome>();
  const instrumentation = new TracehopKafkaJsInstrumentation();
  instrumentation.setTracerProvider(
    new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: new InMemorySpanExporter() })] }),
  );

  beforeAll(async () => {
    for (const [name, call] of calls) untraced.set(name, await outcome(() => call(client())));
    instrumentation.patch(kafkajs);
  });
  afterAll(() => instrumentation.unpatch(kafkajs));

  it.each(calls)('%s', async (name, call) => {
    expect(untraced.get(name)?.shape).not.toBe('resolved');
    expect(await outcome(() => call(client()))).toEqual(untraced.get(name));
  });

  it('a client whose consumer config is optional gets its consumer, untraced rather than a TypeError', async () => {
    const instrumented = new TracehopKafkaJsInstrumentation();
    const standIn = { Kafka: StandInKafka } as unknown as typeof kafkajs;
    instrumented.patch(standIn);
    const kafka = new standIn.Kafka({ brokers: ['kafka:9092'] });
    expect(await outcome(() => kafka.consumer(undefined as never))).toEqual({ shape: 'resolved' });
  });
});
