import { randomBytes } from 'node:crypto';
import { ConfigResourceTypes, type Admin, type Consumer, type Producer } from 'kafkajs';
import type { Logger } from 'winston';
import { kafkaBrokers } from '../../../test/support/kafka-source';
import { loadServiceConfig, type ServiceConfig } from '../src/config/service-config';
import { KafkaClients } from '../src/kafka/kafka-clients';

/** The shared variables at their defaults, pointed at this run's broker (the e2e global setup's choice). */
export function brokerConfig(serviceName: string): ServiceConfig {
  return loadServiceConfig(serviceName, { port: 3999, database: 'unused' }, {}, { KAFKA_BROKERS: kafkaBrokers() });
}

/** A topic no other spec or service uses (one partition: one order for every key). */
export const isolatedTopic = (what: string) => `tracehop.unit.${what}.${randomBytes(4).toString('hex')}`;

/** The real service-kit producer, connected; topics created here (one partition unless asked) and deleted by `stop`. */
export async function startBroker(config: ServiceConfig, logger: Logger) {
  const clients = new KafkaClients(config, logger);
  const admin: Admin = clients.kafka.admin();
  await admin.connect();
  const topics: string[] = [];
  const consumers: Consumer[] = [];
  await clients.start([]);
  return {
    clients,
    async createTopic(topic: string, numPartitions = 1): Promise<string> {
      await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
      topics.push(topic);
      return topic;
    },
    /** The largest record batch the broker accepts on the topic (max.message.bytes, from message.max.bytes). */
    async maxMessageBytes(topic: string): Promise<number> {
      const { resources } = await admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
        includeSynonyms: false,
      });
      return Number(resources[0].configEntries.find((entry) => entry.configName === 'max.message.bytes')?.configValue);
    },
    async setMaxMessageBytes(topic: string, bytes: number): Promise<void> {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'max.message.bytes', value: String(bytes) }] }],
      });
    },
    /** Every record on the topic so far, as its message-id header, in offset order. */
    async messageIds(topic: string, count: number): Promise<string[]> {
      const consumer = clients.kafka.consumer({ groupId: `${topic}.reader.${consumers.length}`, maxBytesPerPartition: 8 * 1024 * 1024 });
      consumers.push(consumer);
      const ids: string[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const all = new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            ids.push(String(message.headers?.['message-id']));
            if (ids.length >= count) resolve();
          },
        });
      });
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 15_000).unref());
      await Promise.race([all, timeout]);
      await consumer.disconnect();
      return ids;
    },
    async stop(): Promise<void> {
      await Promise.allSettled(consumers.map((consumer) => consumer.disconnect()));
      await admin.deleteTopics({ topics }).catch(() => undefined);
      await admin.disconnect();
      await clients.stop();
    },
  };
}

export type Broker = Awaited<ReturnType<typeof startBroker>>;

/**
 * The real producer behind a gate: each sendBatch waits until `open()` before it reaches the broker,
 * so a spec can look at the database while a send is in flight. `sending` resolves once one waits.
 */
export function gatedKafka(clients: KafkaClients) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let entered!: () => void;
  const sending = new Promise<void>((resolve) => (entered = resolve));
  const producer = {
    sendBatch: async (batch: Parameters<Producer['sendBatch']>[0]) => {
      entered();
      await gate;
      return clients.producer.sendBatch(batch);
    },
  };
  const gated = Object.create(clients, { producer: { value: producer } }) as KafkaClients;
  return { clients: gated, sending, open };
}
