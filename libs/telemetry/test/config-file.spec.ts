import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, diag, logs, metrics, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { MeterProvider } from '@opentelemetry/api';
import { logs as legacyLogs } from '@opentelemetry/api-logs';
import type * as KafkaInstrumentation from '../src/kafka/kafkajs-instrumentation';
import type * as Start from '../src/start';
import type { Telemetry } from '../src/types';

const configFile = join(mkdtempSync(join(tmpdir(), 'tracehop-config-')), 'otel.yaml');
writeFileSync(
  configFile,
  [
    'file_format: "1.0"',
    'resource:',
    '  attributes:',
    '    - name: service.name',
    '      value: from-config-file',
    'tracer_provider:',
    '  processors:',
    '    - simple:',
    '        exporter:',
    '          console: {}',
    'meter_provider:',
    '  readers:',
    '    - periodic:',
    '        interval: 60000',
    '        exporter:',
    '          console: {}',
  ].join('\n'),
);

let telemetry: Telemetry | undefined;
const savedEnv = { ...process.env };
const sigtermListeners = process.listeners('SIGTERM');

afterEach(async () => {
  await telemetry?.shutdown();
  for (const api of [trace, metrics, propagation, context, logs, legacyLogs, diag]) api.disable();
  for (const listener of process.listeners('SIGTERM')) if (!sigtermListeners.includes(listener)) process.off('SIGTERM', listener);
  process.env = { ...savedEnv };
  jest.restoreAllMocks();
});

describe('OTEL_CONFIG_FILE (declarative configuration, through sdk-node’s startNodeSdk)', () => {
  it('configures the SDK from the file, ignoring the other OTEL_* variables, and keeps tracehop’s Kafka instrumentation', async () => {
    const dir = jest.spyOn(console, 'dir').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    // The specification: with a file, every other SDK variable is ignored.
    Object.assign(process.env, { OTEL_CONFIG_FILE: configFile, OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'none' });
    const meterProviders: MeterProvider[] = [];
    jest.isolateModules(() => {
      const kafka = jest.requireActual<typeof KafkaInstrumentation>('../src/kafka/kafkajs-instrumentation');
      const setMeterProvider = kafka.TracehopKafkaJsInstrumentation.prototype.setMeterProvider;
      jest.spyOn(kafka.TracehopKafkaJsInstrumentation.prototype, 'setMeterProvider').mockImplementation(function (
        this: KafkaInstrumentation.TracehopKafkaJsInstrumentation,
        provider,
      ) {
        meterProviders.push(provider);
        setMeterProvider.call(this, provider);
      });
      telemetry = jest.requireActual<typeof Start>('../src/start').startTelemetry({ instrumentations: ['kafkajs'] });
    });

    const span = trace.getTracer('config-file-spec').startSpan('work', {}, ROOT_CONTEXT);
    expect((span as unknown as { resource: { attributes: Record<string, unknown> } }).resource.attributes['service.name']).toBe(
      'from-config-file',
    );
    span.end();
    await new Promise((exported) => setTimeout(exported, 50));
    expect(dir).toHaveBeenCalledWith(expect.objectContaining({ name: 'work' }), expect.anything());
    // The Kafka instrumentation's metrics go to the file's meter provider, not the no-op one it was registered with.
    expect(meterProviders.at(-1)).toBe(metrics.getMeterProvider());
    expect(meterProviders.at(-1)!.getMeter('x').constructor.name).not.toBe('NoopMeter');
  });
});
