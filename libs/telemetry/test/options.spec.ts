import { diag } from '@opentelemetry/api';
import { SPAN_BATCHING_DEFAULTS, telemetryOptions } from '../src/internal/options';

describe('telemetry options from the environment', () => {
  it('has working defaults: the local agent, tracehop batch sizing, child hops, hashed keys', () => {
    expect(telemetryOptions({})).toMatchObject({
      serviceName: 'unknown_service:node',
      serviceNamespace: 'tracehop',
      deploymentEnvironment: 'development',
      export: {
        traces: { protocol: 'grpc', endpoint: 'http://127.0.0.1:4317' },
        metrics: { protocol: 'grpc', endpoint: 'http://127.0.0.1:4317' },
        logs: { protocol: 'grpc', endpoint: 'http://127.0.0.1:4317' },
      },
      disabled: false,
      shutdownTimeoutMillis: 5000,
      spanBatching: SPAN_BATCHING_DEFAULTS,
      kafka: { hopMode: 'child', messageKey: 'hash', messageKeySalt: '' },
    });
  });

  it('reads OTEL_* and TRACEHOP_* variables', () => {
    const options = telemetryOptions({
      OTEL_SERVICE_NAME: 'order-service',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://agent:4317',
      OTEL_SDK_DISABLED: 'true',
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '500',
      TRACEHOP_KAFKA_HOP_MODE: 'link',
      TRACEHOP_KAFKA_MESSAGE_KEY: 'drop',
    });
    expect(options).toMatchObject({
      serviceName: 'order-service',
      export: { traces: { protocol: 'grpc', endpoint: 'http://agent:4317' } },
      disabled: true,
      kafka: { hopMode: 'link', messageKey: 'drop' },
    });
    // A batch can never be larger than the queue.
    expect(options.spanBatching).toMatchObject({ maxQueueSize: 100, maxExportBatchSize: 100 });
  });

  it("resolves each signal's OTLP protocol and endpoint as the exporter specification says", () => {
    // The common protocol and endpoint: for HTTP, /v1/<signal> is appended (once, whatever the trailing slash).
    expect(
      telemetryOptions({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://agent:4318/' }).export,
    ).toEqual({
      traces: { protocol: 'http/protobuf', endpoint: 'http://agent:4318/v1/traces' },
      metrics: { protocol: 'http/protobuf', endpoint: 'http://agent:4318/v1/metrics' },
      logs: { protocol: 'http/protobuf', endpoint: 'http://agent:4318/v1/logs' },
    });
    // Without an endpoint, HTTP goes to the local agent's HTTP port.
    expect(telemetryOptions({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).export.logs).toEqual({
      protocol: 'http/json',
      endpoint: 'http://127.0.0.1:4318/v1/logs',
    });
    // A signal's own protocol and endpoint win, and its endpoint is used as is.
    const options = telemetryOptions({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://agent:4317',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/custom',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
    });
    expect(options.export).toEqual({
      traces: { protocol: 'http/protobuf', endpoint: 'http://traces:9999/custom' },
      metrics: { protocol: 'http/protobuf', endpoint: 'http://agent:4317/v1/metrics' },
      logs: { protocol: 'grpc', endpoint: 'http://agent:4317' },
    });
  });

  it('refuses an unknown OTLP protocol with a warning, keeping gRPC', () => {
    const warn = jest.spyOn(diag, 'warn').mockImplementation(() => undefined);
    expect(telemetryOptions({ OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' }).export.traces.protocol).toBe('grpc');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('OTEL_EXPORTER_OTLP_PROTOCOL'));
    warn.mockRestore();
  });

  it('runs every instrumentation but Nest by default; OTEL_NODE_ENABLED/DISABLED_INSTRUMENTATIONS change the set', () => {
    expect(telemetryOptions({}).instrumentations).toEqual(['http', 'kafkajs', 'pg', 'winston']);
    expect(telemetryOptions({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http, nestjs-core ,pg' }).instrumentations).toEqual([
      'http',
      'nestjs-core',
      'pg',
    ]);
    expect(telemetryOptions({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'winston,kafkajs' }).instrumentations).toEqual(['http', 'pg']);
    // Disabled wins over enabled, as in auto-instrumentations-node.
    expect(
      telemetryOptions({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,pg', OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pg' }).instrumentations,
    ).toEqual(['http']);
    expect(telemetryOptions({}).pgConnectSpans).toBe(false);
    expect(telemetryOptions({ TRACEHOP_PG_CONNECT_SPANS: 'true' }).pgConnectSpans).toBe(true);
    expect(telemetryOptions({}).pgMetrics).toBe(false);
    expect(telemetryOptions({ TRACEHOP_PG_METRICS: 'true' }).pgMetrics).toBe(true);
  });

  it('warns about unknown instrumentation names and runs the known ones', () => {
    const warn = jest.spyOn(diag, 'warn').mockImplementation(() => undefined);
    expect(telemetryOptions({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,express' }).instrumentations).toEqual(['http']);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('express'));
    warn.mockRestore();
  });

  it('warns about an invalid variable and keeps its default, never throwing', () => {
    const warn = jest.spyOn(diag, 'warn').mockImplementation(() => undefined);
    const options = telemetryOptions({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url',
      OTEL_BSP_SCHEDULE_DELAY: '-5',
      OTEL_SERVICE_NAME: 'kept',
    });
    expect(options.export.traces.endpoint).toBe('http://127.0.0.1:4317');
    expect(options.spanBatching.scheduledDelayMillis).toBe(SPAN_BATCHING_DEFAULTS.scheduledDelayMillis);
    expect(options.serviceName).toBe('kept');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('OTEL_EXPORTER_OTLP_ENDPOINT'));
    warn.mockRestore();
  });
});
