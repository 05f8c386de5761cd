import { stackPaths } from '../../infra/stack/src/paths';
import { secretFiles } from '../../infra/stack/src/secrets';
import { startKafkaSource } from './kafka-source';

/**
 * Jest global setup: picks the Kafka the e2e specs use and hands it to them (and the services they
 * start) as KAFKA_BROKERS; points them at the stack's Postgres password file (PGPASSFILE).
 */
export default async function globalSetup(): Promise<void> {
  process.env.PGPASSFILE ??= secretFiles(stackPaths()).pgpassFile;
  const source = await startKafkaSource();
  process.env.KAFKA_BROKERS = source.brokers;
  process.env.TRACEHOP_TEST_KAFKA_SOURCE = source.kind;
  (globalThis as { tracehopKafkaSource?: typeof source }).tracehopKafkaSource = source;
  console.log(`\ne2e Kafka: ${source.brokers} (${source.kind})`);
}
