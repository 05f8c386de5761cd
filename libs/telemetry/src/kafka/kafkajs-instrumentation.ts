import type { Attributes } from '@opentelemetry/api';
import { getNumberFromEnv } from '@opentelemetry/core';
import { InstrumentationBase, InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';
import type * as KafkaJs from 'kafkajs';
import { brokerAttributes } from '../internal/kafka/broker-address';
import { learnClusterId } from '../internal/kafka/cluster-id';
import { instrumentOrLeave } from '../internal/kafka/guarded';
import { hopModeFromEnv, hopModesByGroupFromEnv } from '../internal/kafka/hop-mode';
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION, SUPPORTED_KAFKAJS_VERSIONS } from '../internal/kafka/instrumentation-package';
import { tracedEachBatch, tracedEachMessage } from '../internal/kafka/traced-consumer';
import { traceProducer } from '../internal/kafka/traced-producer';
import { MessagingMetrics } from '../internal/metrics/messaging-metrics';
import { RateLimitedWarning } from '../logs/rate-limited-warning';
import type { TracehopKafkaJsConfig } from '../types';

/** The OpenTelemetry specification's default for OTEL_SPAN_LINK_COUNT_LIMIT, as the SDK applies it. */
const DEFAULT_LINK_COUNT_LIMIT = 128;

/**
 * kafkajs keeps its config private; the Kafka constructor is where clientId and brokers can be seen.
 * `connection` is shared by the client's producers and consumers, so a cluster id learnt later
 * (learnClusterId) reaches spans they start from then on.
 */
const clients = new WeakMap<object, { clientId?: string; connection: Attributes }>();

/**
 * kafkajs instrumentation with tracehop's propagation rules (docs/telemetry.md): send spans that
 * never mutate caller headers, process spans placed by hop mode, broken headers marked, keys hashed.
 * `patch` is public so tests under Jest (which bypasses require hooks) can apply it to a loaded module.
 */
export class TracehopKafkaJsInstrumentation extends InstrumentationBase<TracehopKafkaJsConfig> {
  private readonly brokenHeaderWarning = new RateLimitedWarning(60_000);
  /** Shared by every producer and consumer, so that a later meter provider reaches them all. */
  private readonly messagingMetrics: MessagingMetrics;

  constructor(config: TracehopKafkaJsConfig = {}) {
    super(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION, config);
    this.messagingMetrics = new MessagingMetrics(this.meter);
  }

  /** Called by setMeterProvider (and by the base constructor, before the metrics exist). */
  protected override _updateMetricInstruments(): void {
    // Undefined while the base constructor runs; the constructor then creates it with this.meter.
    this.messagingMetrics?.useMeter(this.meter);
  }

  protected init() {
    return new InstrumentationNodeModuleDefinition(
      'kafkajs',
      [SUPPORTED_KAFKAJS_VERSIONS],
      (exports: typeof KafkaJs) => this.patch(exports),
      (exports: typeof KafkaJs) => this.unpatch(exports),
    );
  }

  /** What a new producer or consumer of the given client is traced with. */
  private settings(kafka: object) {
    const config = this.getConfig();
    return {
      tracer: this.tracer,
      hopMode: config.hopMode ?? hopModeFromEnv(),
      messageKey: config.messageKey ?? 'hash',
      messageKeySalt: config.messageKeySalt ?? process.env.TRACEHOP_KAFKA_KEY_SALT ?? '',
      clientId: clients.get(kafka)?.clientId,
      connection: clients.get(kafka)?.connection ?? {},
    };
  }

  patch(exports: typeof KafkaJs): typeof KafkaJs {
    const OriginalKafka = exports.Kafka;
    if (!(OriginalKafka as { __tracehop?: boolean }).__tracehop) {
      // A subclass only to see clientId and brokers; behaviour lives in the wrapped prototype methods below.
      const Kafka = class extends OriginalKafka {
        static __tracehop = true;
        constructor(config: KafkaJs.KafkaConfig) {
          super(config);
          clients.set(this, { clientId: config.clientId, connection: brokerAttributes(config.brokers) });
        }
      };
      Object.defineProperty(exports, 'Kafka', { value: Kafka, configurable: true, enumerable: true, writable: true });
    }
    const prototype = OriginalKafka.prototype;
    this.instrumentCreated(prototype, 'producer', (kafka, producer) =>
      traceProducer({ ...this.settings(kafka), metrics: this.messagingMetrics, hook: this.getConfig().producerHook }, producer),
    );
    this.instrumentCreated(prototype, 'consumer', (kafka, consumer, [config]) => this.traceConsumer(kafka, config.groupId, consumer));
    this.instrumentCreated(prototype, 'admin', (kafka, admin) => {
      const connection = clients.get(kafka)?.connection;
      if (connection) learnClusterId(admin, connection);
    });
    return exports;
  }

  /**
   * Wraps one of Kafka's factories (producer, consumer, admin): what it creates is instrumented
   * before the application gets it, or left untraced if that fails.
   */
  private instrumentCreated<Name extends 'producer' | 'consumer' | 'admin'>(
    prototype: KafkaJs.Kafka,
    name: Name,
    instrument: (kafka: KafkaJs.Kafka, created: ReturnType<KafkaJs.Kafka[Name]>, args: Parameters<KafkaJs.Kafka[Name]>) => void,
  ): void {
    if (isWrapped(prototype[name])) this._unwrap(prototype, name);
    this._wrap(prototype, name, (original) => {
      const factory = original as unknown as (
        this: KafkaJs.Kafka,
        ...args: Parameters<KafkaJs.Kafka[Name]>
      ) => ReturnType<KafkaJs.Kafka[Name]>;
      return function (this: KafkaJs.Kafka, ...args: Parameters<KafkaJs.Kafka[Name]>) {
        const created = factory.apply(this, args);
        instrumentOrLeave(name, () => instrument(this, created, args));
        return created;
      } as unknown as typeof original;
    });
  }

  private traceConsumer(kafka: object, groupId: string, consumer: KafkaJs.Consumer): void {
    const settings = this.settings(kafka);
    const config = this.getConfig();
    const tracing = {
      ...settings,
      hopMode: (config.hopModeByGroup ?? hopModesByGroupFromEnv())[groupId] ?? settings.hopMode,
      groupId,
      brokenHeaderWarning: this.brokenHeaderWarning,
      metrics: this.messagingMetrics,
      linkLimit: getNumberFromEnv('OTEL_SPAN_LINK_COUNT_LIMIT') ?? DEFAULT_LINK_COUNT_LIMIT,
      hook: config.consumerHook,
    };
    const run = consumer.run.bind(consumer);
    consumer.run = (runConfig) =>
      run(
        runConfig && {
          ...runConfig,
          ...(runConfig.eachMessage ? { eachMessage: tracedEachMessage(tracing, runConfig.eachMessage) } : {}),
          ...(runConfig.eachBatch ? { eachBatch: tracedEachBatch(tracing, runConfig.eachBatch) } : {}),
        },
      );
  }

  unpatch(exports: typeof KafkaJs): void {
    const Patched = exports.Kafka as typeof KafkaJs.Kafka & { __tracehop?: boolean };
    const prototype = Patched.__tracehop ? Object.getPrototypeOf(Patched.prototype) : Patched.prototype;
    if (isWrapped(prototype.producer)) this._unwrap(prototype, 'producer');
    if (isWrapped(prototype.consumer)) this._unwrap(prototype, 'consumer');
    if (isWrapped(prototype.admin)) this._unwrap(prototype, 'admin');
    if (Patched.__tracehop)
      Object.defineProperty(exports, 'Kafka', {
        value: Object.getPrototypeOf(Patched),
        configurable: true,
        enumerable: true,
        writable: true,
      });
  }
}
