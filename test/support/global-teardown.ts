import type { KafkaSource } from './kafka-source';

/** Jest global teardown: stops a Redpanda container the setup started (nothing otherwise). */
export default async function globalTeardown(): Promise<void> {
  await (globalThis as { tracehopKafkaSource?: KafkaSource }).tracehopKafkaSource?.stop();
}
