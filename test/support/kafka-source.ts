import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { loadManifest } from '../../infra/stack/src/manifest';

export type KafkaSourceKind = 'KAFKA_BROKERS' | 'testcontainers' | 'native';

export interface KafkaSource {
  kind: KafkaSourceKind;
  brokers: string;
  stop(): Promise<void>;
}

/** A Docker engine answers here: DOCKER_HOST is set or the default socket exists. */
function dockerAvailable(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

/**
 * The broker the e2e specs (and the services they start) use: KAFKA_BROKERS when set; otherwise
 * Redpanda through @testcontainers/redpanda when Docker is available (the image the compose path
 * pins); otherwise the native stack's Kafka. Chosen once per run (test/support/global-setup.ts).
 */
export async function startKafkaSource(env: NodeJS.ProcessEnv = process.env): Promise<KafkaSource> {
  if (env.KAFKA_BROKERS) return { kind: 'KAFKA_BROKERS', brokers: env.KAFKA_BROKERS, stop: async () => undefined };
  if (dockerAvailable()) {
    // Loaded only here: testcontainers pulls in the Docker client, which a run without Docker never needs.
    const { RedpandaContainer } = await import('@testcontainers/redpanda');
    const version = parse(readFileSync(join(__dirname, '..', '..', 'infra', 'compose', '.env'), 'utf8')).REDPANDA_VERSION;
    const container = await new RedpandaContainer(`docker.redpanda.com/redpandadata/redpanda:${version}`).start();
    return { kind: 'testcontainers', brokers: container.getBootstrapServers(), stop: async () => void (await container.stop()) };
  }
  return { kind: 'native', brokers: `127.0.0.1:${loadManifest().ports.KAFKA_PORT}`, stop: async () => undefined };
}

/** The brokers the specs of this run use (set by the global setup; the native broker otherwise). */
export function kafkaBrokers(): string {
  return process.env.KAFKA_BROKERS || `127.0.0.1:${loadManifest().ports.KAFKA_PORT}`;
}
