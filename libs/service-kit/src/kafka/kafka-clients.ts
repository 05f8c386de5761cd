import { Inject, Injectable } from '@nestjs/common';
import { Kafka, logLevel, Partitioners, type Admin, type LogEntry, type Producer } from 'kafkajs';
import type { Logger } from 'winston';
import { SERVICE_CONFIG, type ServiceConfig } from '../config/service-config';
import { retryUntilStopped } from '../lifecycle/retry-until-stopped';
import { LOGGER } from '../logging';

const WINSTON_LEVEL: Record<number, string> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * The service's Kafka client, producer and admin. Connecting never blocks the boot: it
 * retries in the background while readiness reports Kafka down, so a service started before the
 * broker (or during a broker restart) comes up on its own.
 */
@Injectable()
export class KafkaClients {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly admin: Admin;
  private producerConnected = false;
  private readonly stopping = new AbortController();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const kafkaLogger = logger.child({ component: 'kafkajs' });
    this.kafka = new Kafka({
      clientId: config.serviceName,
      brokers: config.KAFKA_BROKERS,
      logLevel: logLevel.WARN,
      // kafkajs' own log lines go through winston, so they carry trace ids and reach the log store (VictoriaLogs) too.
      logCreator:
        () =>
        ({ level, log }: LogEntry) =>
          kafkaLogger.log(WINSTON_LEVEL[level] ?? 'info', log.message, { namespace: log.namespace, broker: log.broker }),
    });
    // Not idempotent: kafkajs 2.2.4's idempotent producer winds back the sequence numbers of every
    // partition of a partly refused request (one oversize record), after which each send to those
    // partitions fails with OUT_OF_ORDER_SEQUENCE_NUMBER until a restart. One request in flight keeps
    // each partition's order; a retried request may duplicate a record, which consumers drop by event id.
    this.producer = this.kafka.producer({ idempotent: false, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    this.producer.on(this.producer.events.CONNECT, () => (this.producerConnected = true));
    this.producer.on(this.producer.events.DISCONNECT, () => (this.producerConnected = false));
    this.admin = this.kafka.admin();
  }

  get connected(): boolean {
    return this.producerConnected;
  }

  /** Creates missing topics (with their partitions) and connects the producer, retrying until it works or the service stops. */
  async start(topics: string[]): Promise<void> {
    await retryUntilStopped(
      this.stopping.signal,
      async () => {
        await this.admin.connect();
        const existing = new Set(await this.admin.listTopics());
        const missing = topics.filter((topic) => !existing.has(topic));
        if (missing.length)
          await this.admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true });
        await this.producer.connect();
      },
      (error) =>
        this.logger.warn('kafka not reachable yet; retrying', { brokers: this.config.KAFKA_BROKERS.join(','), error: error.message }),
    );
  }

  /** For readiness: the broker answers a metadata request within the timeout. */
  async ping(timeoutMillis: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMillis} ms`)), timeoutMillis)),
    );
    try {
      await Promise.race([this.admin.describeCluster(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }
}
