import { diag } from '@opentelemetry/api';
import { SPAN_BATCHING_DEFAULTS, telemetryOptions } from '../src/internal/options';

describe('telemetry options from the environment', () => {
  it('has working defaults: the local agent, tracehop batch sizing, child hops, hashed keys', () => {
    expect(telemetryOptions({})).toMatchObject({
      serviceName: 'unknown_service:node',
      resourceAttributes: { 'service.namespace': 'tracehop', 'deployment.environment.name': 'development' },
      export: {
        traces: { protocol: 'grpc', endpoint: 'http://127.0.0.1:4317', timeoutMillis: 10_000 },
        metrics: { protocol: 'grpc', endpoint: 'http://127.0.0.1:4317', timeoutMillis: 10_000 },
        logs: { protocol: 'grpc', endpoint: 'http://127.0.0.1:4317', timeoutMillis: 10_000 },
      },
      exporters: { traces: ['otlp'], metrics: ['otlp'], logs: ['otlp'] },
      disabled: false,
      metricExport: { intervalMillis: 10_000, timeoutMillis: 10_000 },
      logBatching: { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 1000, exportTimeoutMillis: 30_000 },
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
      export: { traces: { protocol: 'grpc', endpoint: 'http://agent:4317', timeoutMillis: 10_000 } },
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
    ).toMatchObject({
      traces: { protocol: 'http/protobuf', endpoint: 'http://agent:4318/v1/traces' },
      metrics: { protocol: 'http/protobuf', endpoint: 'http://agent:4318/v1/metrics' },
      logs: { protocol: 'http/protobuf', endpoint: 'http://agent:4318/v1/logs' },
    });
    // Without an endpoint, HTTP goes to the local agent's HTTP port.
    expect(telemetryOptions({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).export.logs).toMatchObject({
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
    expect(options.export).toMatchObject({
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
    expect(telemetryOptions({}).instrumentations).toEqual(['http', 'kafkajs', 'pg', 'winston', 'host-metrics']);
    expect(telemetryOptions({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http, nestjs-core ,pg' }).instrumentations).toEqual([
      'http',
      'nestjs-core',
      'pg',
    ]);
    expect(telemetryOptions({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'winston,kafkajs' }).instrumentations).toEqual([
      'http',
      'pg',
      'host-metrics',
    ]);
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

  it('reads booleans as the specification says: "true" in any case is true, anything else false, with a warning unless "false"', () => {
    const warn = jest.spyOn(diag, 'warn').mockImplementation(() => undefined);
    expect(telemetryOptions({ OTEL_SDK_DISABLED: 'TRUE' }).disabled).toBe(true);
    expect(telemetryOptions({ OTEL_SDK_DISABLED: ' True ' }).disabled).toBe(true);
    expect(telemetryOptions({ TRACEHOP_PG_METRICS: 'TRUE', TRACEHOP_PG_CONNECT_SPANS: 'True' })).toMatchObject({
      pgMetrics: true,
      pgConnectSpans: true,
    });
    expect(telemetryOptions({ OTEL_SDK_DISABLED: 'FALSE' }).disabled).toBe(false);
    expect(telemetryOptions({ OTEL_SDK_DISABLED: '' }).disabled).toBe(false);
    expect(warn).not.toHaveBeenCalled();
    expect(telemetryOptions({ OTEL_SDK_DISABLED: '1' }).disabled).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('OTEL_SDK_DISABLED'));
    warn.mockRestore();
  });

  it('treats an empty variable as unset, without a warning', () => {
    const warn = jest.spyOn(diag, 'warn').mockImplementation(() => undefined);
    expect(telemetryOptions({ OTEL_SERVICE_NAME: '', OTEL_EXPORTER_OTLP_ENDPOINT: ' ', OTEL_BSP_SCHEDULE_DELAY: '' })).toMatchObject({
      serviceName: 'unknown_service:node',
      export: { traces: { endpoint: 'http://127.0.0.1:4317' } },
      spanBatching: { scheduledDelayMillis: SPAN_BATCHING_DEFAULTS.scheduledDelayMillis },
    });
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('reads enum values case-insensitively', () => {
    expect(telemetryOptions({ OTEL_EXPORTER_OTLP_PROTOCOL: 'HTTP/Protobuf', OTEL_TRACES_EXPORTER: 'Console' })).toMatchObject({
      export: { traces: { protocol: 'http/protobuf' } },
      exporters: { traces: ['console'] },
    });
  });

  it('picks exporters per signal from OTEL_{TRACES,METRICS,LOGS}_EXPORTER: otlp, console, comma lists, none', () => {
    const warn = jest.spyOn(diag, 'warn').mockImplementation(() => undefined);
    expect(
      telemetryOptions({ OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'otlp, console,otlp', OTEL_LOGS_EXPORTER: 'console' })
        .exporters,
    ).toEqual({ traces: [], metrics: ['otlp', 'console'], logs: ['console'] });
    expect(warn).not.toHaveBeenCalled();
    // none wins over anything listed with it, and says so.
    expect(telemetryOptions({ OTEL_LOGS_EXPORTER: 'console,none' }).exporters.logs).toEqual([]);
    expect(warn).toHaveBeenLastCalledWith(expect.stringContaining('OTEL_LOGS_EXPORTER'));
    // Exporters tracehop does not build are named and ignored; with nothing left, the default applies.
    expect(telemetryOptions({ OTEL_METRICS_EXPORTER: 'prometheus' }).exporters.metrics).toEqual(['otlp']);
    expect(warn).toHaveBeenLastCalledWith(expect.stringContaining('prometheus'));
    expect(telemetryOptions({ OTEL_TRACES_EXPORTER: 'zipkin,console' }).exporters.traces).toEqual(['console']);
    expect(warn).toHaveBeenLastCalledWith(expect.stringContaining('zipkin'));
    warn.mockRestore();
  });

  it('reads each signal’s export timeout (OTEL_EXPORTER_OTLP_[SIGNAL_]TIMEOUT), the signal’s own winning', () => {
    expect(telemetryOptions({ OTEL_EXPORTER_OTLP_TIMEOUT: '4000', OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: '2500' }).export).toMatchObject({
      traces: { timeoutMillis: 4000 },
      metrics: { timeoutMillis: 4000 },
      logs: { timeoutMillis: 2500 },
    });
  });

  it('reads the batch log record processor (OTEL_BLRP_*) and metric reader (OTEL_METRIC_EXPORT_*) settings', () => {
    const warn = jest.spyOn(diag, 'warn').mockImplementation(() => undefined);
    const options = telemetryOptions({
      OTEL_BLRP_SCHEDULE_DELAY: '250',
      OTEL_BLRP_EXPORT_TIMEOUT: '9000',
      OTEL_BLRP_MAX_QUEUE_SIZE: '100',
      OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '400',
      OTEL_METRIC_EXPORT_INTERVAL: '20000',
      OTEL_METRIC_EXPORT_TIMEOUT: '15000',
    });
    expect(options.logBatching).toEqual({
      maxQueueSize: 100,
      maxExportBatchSize: 100,
      scheduledDelayMillis: 250,
      exportTimeoutMillis: 9000,
    });
    expect(options.metricExport).toEqual({ intervalMillis: 20_000, timeoutMillis: 15_000 });
    expect(warn).not.toHaveBeenCalled();
    // The reader refuses a timeout longer than its interval: said, and clamped.
    expect(telemetryOptions({ OTEL_METRIC_EXPORT_INTERVAL: '5000', OTEL_METRIC_EXPORT_TIMEOUT: '8000' }).metricExport).toEqual({
      intervalMillis: 5000,
      timeoutMillis: 5000,
    });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('OTEL_METRIC_EXPORT_TIMEOUT'));
    warn.mockRestore();
  });

  it('keeps the deprecated OTEL_SERVICE_NAMESPACE, OTEL_SERVICE_VERSION and DEPLOYMENT_ENVIRONMENT working, with a warning pointing at OTEL_RESOURCE_ATTRIBUTES', () => {
    const warn = jest.spyOn(diag, 'warn').mockImplementation(() => undefined);
    expect(
      telemetryOptions({ OTEL_SERVICE_NAMESPACE: 'shop', OTEL_SERVICE_VERSION: '1.2.3', DEPLOYMENT_ENVIRONMENT: 'staging' })
        .resourceAttributes,
    ).toEqual({ 'service.namespace': 'shop', 'service.version': '1.2.3', 'deployment.environment.name': 'staging' });
    for (const variable of ['OTEL_SERVICE_NAMESPACE', 'OTEL_SERVICE_VERSION', 'DEPLOYMENT_ENVIRONMENT'])
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(new RegExp(`${variable}.*deprecated.*OTEL_RESOURCE_ATTRIBUTES`)));
    warn.mockRestore();
  });
});
