import { InstrumentationBase, InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';
import type * as KafkaJs from 'kafkajs';
import { hopModeFromEnv, hopModesByGroupFromEnv } from '../internal/kafka/hop-mode';
import { tracedEachBatch, tracedEachMessage } from '../internal/kafka/traced-consumer';
import { tracedSend, tracedSendBatch } from '../internal/kafka/traced-producer';
import { MessagingMetrics } from '../internal/metrics/messaging-metrics';
import { RateLimitedWarning } from '../logs/rate-limited-warning';
import type { TracehopKafkaJsConfig } from '../types';

const PACKAGE = '@tracehop/telemetry/kafkajs';
const VERSION = '0.1.0';

/** kafkajs keeps clientId private; the Kafka constructor is where it can be seen. */
const clientIds = new WeakMap<object, string | undefined>();

/**
 * kafkajs instrumentation with tracehop's propagation rules (docs/telemetry.md): send spans that
 * never mutate caller headers, process spans placed by hop mode, broken headers marked, keys hashed.
 * `patch` is public so tests under Jest (which bypasses require hooks) can apply it to a loaded module.
 */
export class TracehopKafkaJsInstrumentation extends InstrumentationBase<TracehopKafkaJsConfig> {
  private readonly brokenHeaderWarning = new RateLimitedWarning(60_000);

  constructor(config: TracehopKafkaJsConfig = {}) {
    super(PACKAGE, VERSION, config);
  }

  protected init() {
    return new InstrumentationNodeModuleDefinition(
      'kafkajs',
      ['>=2.0.0 <3'],
      (exports: typeof KafkaJs) => this.patch(exports),
      (exports: typeof KafkaJs) => this.unpatch(exports),
    );
  }

  private settings() {
    const config = this.getConfig();
    return {
      tracer: this.tracer,
      hopMode: config.hopMode ?? hopModeFromEnv(),
      messageKey: config.messageKey ?? 'hash',
      messageKeySalt: config.messageKeySalt ?? process.env.TRACEHOP_KAFKA_KEY_SALT ?? '',
    };
  }

  patch(exports: typeof KafkaJs): typeof KafkaJs {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the wrapped prototype methods below have kafkajs' `this`, and need ours too
    const instrumentation = this;
    const OriginalKafka = exports.Kafka;
    if (!(OriginalKafka as { __tracehop?: boolean }).__tracehop) {
      // A subclass only to see clientId; behaviour lives in the wrapped prototype methods below.
      const Kafka = class extends OriginalKafka {
        static __tracehop = true;
        constructor(config: KafkaJs.KafkaConfig) {
          super(config);
          clientIds.set(this, config.clientId);
        }
      };
      Object.defineProperty(exports, 'Kafka', { value: Kafka, configurable: true, enumerable: true, writable: true });
    }
    const prototype = OriginalKafka.prototype;
    if (isWrapped(prototype.producer)) this._unwrap(prototype, 'producer');
    this._wrap(
      prototype,
      'producer',
      (original) =>
        function producer(this: KafkaJs.Kafka, ...args: Parameters<KafkaJs.Kafka['producer']>) {
          const created = original.apply(this, args);
          const tracing = { ...instrumentation.settings(), clientId: clientIds.get(this) };
          const send = created.send.bind(created);
          const sendBatch = created.sendBatch.bind(created);
          created.send = (record) => tracedSend(tracing, record, send);
          created.sendBatch = (batch) => tracedSendBatch(tracing, batch, sendBatch);
          return created;
        },
    );
    if (isWrapped(prototype.consumer)) this._unwrap(prototype, 'consumer');
    this._wrap(
      prototype,
      'consumer',
      (original) =>
        function consumer(this: KafkaJs.Kafka, ...args: Parameters<KafkaJs.Kafka['consumer']>) {
          const created = original.apply(this, args);
          const settings = instrumentation.settings();
          const groupId = args[0].groupId;
          const tracing = {
            ...settings,
            hopMode: (instrumentation.getConfig().hopModeByGroup ?? hopModesByGroupFromEnv())[groupId] ?? settings.hopMode,
            clientId: clientIds.get(this),
            groupId,
            brokenHeaderWarning: instrumentation.brokenHeaderWarning,
            metrics: new MessagingMetrics(instrumentation.meter),
          };
          const run = created.run.bind(created);
          created.run = (config) =>
            run(
              config && {
                ...config,
                ...(config.eachMessage ? { eachMessage: tracedEachMessage(tracing, config.eachMessage) } : {}),
                ...(config.eachBatch ? { eachBatch: tracedEachBatch(tracing, config.eachBatch) } : {}),
              },
            );
          return created;
        },
    );
    return exports;
  }

  unpatch(exports: typeof KafkaJs): void {
    const Patched = exports.Kafka as typeof KafkaJs.Kafka & { __tracehop?: boolean };
    const prototype = Patched.__tracehop ? Object.getPrototypeOf(Patched.prototype) : Patched.prototype;
    if (isWrapped(prototype.producer)) this._unwrap(prototype, 'producer');
    if (isWrapped(prototype.consumer)) this._unwrap(prototype, 'consumer');
    if (Patched.__tracehop)
      Object.defineProperty(exports, 'Kafka', {
        value: Object.getPrototypeOf(Patched),
        configurable: true,
        enumerable: true,
        writable: true,
      });
  }
}
