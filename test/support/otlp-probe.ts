import { randomUUID } from 'node:crypto';
import { context, trace, type Attributes } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

export interface ProbeResult {
  serviceName: string;
  probeId: string;
  traceId: string;
  spanId: string;
  metricName: string;
}

/** PII the agent must redact before anything leaves it. */
export const probePii = { email: 'jane.doe@example.com', card: '4111 1111 1111 1111' };

/**
 * Tracer, logger and meter providers that export each record at once (simple processors; metrics on
 * forceFlush) over OTLP gRPC to the agent, under one resource: a test's stand-in for a service.
 */
export function otlpProviders(agentGrpc: string, resourceAttributes: Attributes) {
  const resource = resourceFromAttributes(resourceAttributes);
  const url = `http://${agentGrpc}`;
  return {
    tracerProvider: new TracerProvider({
      resource,
      spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url }) })],
    }),
    loggerProvider: new LoggerProvider({
      resource,
      processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url }) })],
    }),
    meterProvider: new MeterProvider({
      resource,
      readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url }), exportIntervalMillis: 60_000 })],
    }),
  };
}

/**
 * Sends one span, one log record inside that span and one counter point to the agent over OTLP
 * gRPC, as a service would, and flushes all three.
 */
export async function sendProbe(agentGrpc: string): Promise<ProbeResult> {
  const probeId = randomUUID().slice(0, 8);
  const serviceName = `stack-probe-${probeId}`;
  const { tracerProvider, loggerProvider, meterProvider } = otlpProviders(agentGrpc, {
    'service.name': serviceName,
    'service.namespace': 'tracehop-tests',
  });

  const span = tracerProvider.getTracer('stack-probe').startSpan('probe stack', {
    attributes: { 'probe.id': probeId, 'user.email': probePii.email, 'payment.card': probePii.card },
  });
  const { traceId, spanId } = span.spanContext();
  context.with(trace.setSpan(context.active(), span), () => {
    loggerProvider.getLogger('stack-probe').emit({
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      body: `probe ${probeId} for ${probePii.email} paid with ${probePii.card}`,
      // service.name repeated as a log attribute, as tracehop's Winston lines do: the gateway must
      // keep VictoriaLogs' stream key free of duplicates (a duplicate crashes VictoriaLogs 1.52).
      attributes: { 'probe.id': probeId, 'service.name': serviceName },
      context: trace.setSpan(context.active(), span),
    });
  });
  span.end();
  const metricName = 'tracehop.stack.probe';
  meterProvider.getMeter('stack-probe').createCounter(metricName).add(1, { 'probe.id': probeId });

  await Promise.all([tracerProvider.forceFlush(), loggerProvider.forceFlush(), meterProvider.forceFlush()]);
  await Promise.all([tracerProvider.shutdown(), loggerProvider.shutdown(), meterProvider.shutdown()]);
  return { serviceName, probeId, traceId, spanId, metricName };
}
