import { ConsoleLogRecordExporter, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { exportPipelines } from '../src/internal/export/pipelines';
import { RetryingExporter } from '../src/internal/export/retrying-exporter';
import { telemetryOptions } from '../src/internal/options';

const exporterOf = (processor: unknown) => (processor as { _exporter: unknown })._exporter;

describe('export pipelines from OTEL_{TRACES,METRICS,LOGS}_EXPORTER and OTEL_EXPORTER_OTLP_*', () => {
  it('builds no exporter and no processor for a signal set to none', async () => {
    const pipelines = exportPipelines(
      telemetryOptions({ OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' }),
    );
    expect(pipelines.spanProcessors).toEqual([]);
    expect(pipelines.metricReaders).toEqual([]);
    expect(pipelines.logRecordProcessors).toEqual([]);
    await pipelines.shutdown();
  });

  it('builds a console exporter behind a simple processor, next to OTLP when both are listed', async () => {
    const pipelines = exportPipelines(telemetryOptions({ OTEL_TRACES_EXPORTER: 'otlp,console', OTEL_LOGS_EXPORTER: 'console' }));
    expect(pipelines.spanProcessors).toHaveLength(2);
    expect(pipelines.spanProcessors[1]).toBeInstanceOf(SimpleSpanProcessor);
    expect(exporterOf(pipelines.spanProcessors[1])).toBeInstanceOf(ConsoleSpanExporter);
    expect(pipelines.logRecordProcessors).toHaveLength(1);
    expect(pipelines.logRecordProcessors[0]).toBeInstanceOf(SimpleLogRecordProcessor);
    expect(exporterOf(pipelines.logRecordProcessors[0])).toBeInstanceOf(ConsoleLogRecordExporter);
    await pipelines.shutdown();
  });

  it('passes the batch log record processor settings (OTEL_BLRP_*) and the metric reader’s timeout', async () => {
    const pipelines = exportPipelines(
      telemetryOptions({ OTEL_BLRP_MAX_QUEUE_SIZE: '64', OTEL_BLRP_SCHEDULE_DELAY: '300', OTEL_METRIC_EXPORT_TIMEOUT: '7000' }),
    );
    expect(pipelines.logRecordProcessors[0]).toMatchObject({ _maxQueueSize: 64, _scheduledDelayMillis: 300 });
    expect(pipelines.metricReaders[0]).toMatchObject({ _exportTimeout: 7000, _exportInterval: 10_000 });
    await pipelines.shutdown();
  });

  it('retries through RetryingExporter for gRPC only: the HTTP exporters retry on their own', async () => {
    const grpc = exportPipelines(telemetryOptions({}));
    expect(exporterOf(grpc.logRecordProcessors[0])).toBeInstanceOf(RetryingExporter);
    const http = exportPipelines(telemetryOptions({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }));
    expect(exporterOf(http.logRecordProcessors[0])).not.toBeInstanceOf(RetryingExporter);
    await Promise.all([grpc.shutdown(), http.shutdown()]);
  });
});
