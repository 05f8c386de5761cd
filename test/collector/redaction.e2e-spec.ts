import { randomUUID } from 'node:crypto';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { endpoints, jaegerTrace, logsForTrace, prometheusQuery, type JaegerTrace, type LogEntry } from '../support/backends';
import { eventually } from '../support/eventually';
import { otlpProviders } from '../support/otlp-probe';

/**
 * The agent's transform/redact_pii (infra/collector/agent.yaml), end to end: PII a plain
 * OpenTelemetry SDK sends (no tracehop logger redacting first) in every place a sender can put it
 * must not reach Jaeger, VictoriaLogs or Prometheus; timestamps must.
 */
const email = 'jane.doe@example.com';
const encodedEmail = 'jane.doe%40example.com';
const card = '4111 1111 1111 1111';
/** Epoch milliseconds: 13 digits, which a card pattern without a shape filter takes for a card. */
const timestamp = '1733119790124';
/** An id whose first three groups spell a Luhn-valid card number (4111111111111111): not a card. */
const digitUuid = '41111111-1111-1111-8123-abcdef012345';

interface Probe {
  serviceName: string;
  probeId: string;
  traceId: string;
}

/** One failing span (status message, exception event, array attribute), one log record with nested attributes, one counter point. */
async function sendPii(agentGrpc: string): Promise<Probe> {
  const probeId = randomUUID().slice(0, 8);
  const serviceName = `redaction-probe-${probeId}`;
  const { tracerProvider, loggerProvider, meterProvider } = otlpProviders(agentGrpc, {
    'service.name': serviceName,
    'service.namespace': 'tracehop-tests',
    'probe.owner': email,
  });

  const span = tracerProvider.getTracer('redaction-probe').startSpan('probe redaction', {
    attributes: {
      'probe.id': probeId,
      'probe.at_ms': timestamp,
      'order.id': digitUuid,
      'url.query': `email=${encodedEmail}`,
      'user.emails': [email, 'nobody'],
      'payment.cards': [card],
    },
  });
  span.recordException(new Error(`card ${card} declined for ${email}`));
  span.setStatus({ code: SpanStatusCode.ERROR, message: `payment failed for ${email} with ${card}` });
  loggerProvider.getLogger('redaction-probe').emit({
    severityNumber: SeverityNumber.WARN,
    severityText: 'WARN',
    body: `probe ${probeId} at ${timestamp}`,
    attributes: {
      'probe.id': probeId,
      'probe.at_ms': timestamp,
      order_id: digitUuid,
      user: { contact: { email }, cards: [card] },
      recipients: [email],
    },
    context: trace.setSpan(context.active(), span),
  });
  span.end();
  meterProvider.getMeter('redaction-probe').createCounter('tracehop.redaction.probe').add(1, { 'probe.id': probeId, 'user.email': email });

  await Promise.all([tracerProvider.forceFlush(), loggerProvider.forceFlush(), meterProvider.forceFlush()]);
  await Promise.all([tracerProvider.shutdown(), loggerProvider.shutdown(), meterProvider.shutdown()]);
  return { serviceName, probeId, traceId: span.spanContext().traceId };
}

function expectNoPii(stored: unknown): void {
  const text = JSON.stringify(stored);
  for (const pii of [email, encodedEmail, card, card.replaceAll(' ', '')]) expect(text).not.toContain(pii);
}

describe('the agent redacts PII wherever a sender puts it', () => {
  let probe: Probe;
  let stored: JaegerTrace;

  beforeAll(async () => {
    probe = await sendPii(endpoints.agentGrpc);
    stored = await eventually('span in Jaeger', 20, () => jaegerTrace(probe.traceId));
  });

  it('in span attributes (arrays too), the status message, exception events and resource attributes', () => {
    expectNoPii(stored);
    const span = stored.spans.find((s) => s.operationName === 'probe redaction')!;
    const tags = Object.fromEntries(span.tags.map((t) => [t.key, t.value]));
    expect(tags['otel.status_description']).toBe('payment failed for [REDACTED_EMAIL] with [REDACTED_CARD]');
    expect(tags['url.query']).toBe('email=[REDACTED_EMAIL]');
    // Flattened to reach the array's items (replace_all_patterns reads top-level strings only).
    expect([tags['user.emails.0'], tags['user.emails.1']]).toEqual(['[REDACTED_EMAIL]', 'nobody']);
  });

  it('keeps timestamps and ids that merely contain digit groups', () => {
    const span = stored.spans.find((s) => s.operationName === 'probe redaction')!;
    expect(span.tags.find((t) => t.key === 'probe.at_ms')?.value).toBe(timestamp);
    expect(span.tags.find((t) => t.key === 'order.id')?.value).toBe(digitUuid);
  });

  it('in log attributes nested in maps and arrays, keeping timestamps', async () => {
    const entries: LogEntry[] = await eventually('log record in VictoriaLogs', 20, async () => {
      const found = await logsForTrace(probe.serviceName, probe.traceId);
      return found.length > 0 ? found : undefined;
    });
    expect(entries).toHaveLength(1);
    expectNoPii(entries);
    expect(JSON.stringify(entries)).toContain('[REDACTED_EMAIL]');
    expect(JSON.stringify(entries)).toContain('[REDACTED_CARD]');
    expect(entries[0].message).toBe(`probe ${probe.probeId} at ${timestamp}`);
    expect(entries[0].fields['probe.at_ms']).toBe(timestamp);
    expect(entries[0].fields.order_id).toBe(digitUuid);
    expect(entries[0].fields['user.contact.email']).toBe('[REDACTED_EMAIL]');
  });

  it('in metric point attributes', async () => {
    const samples = await eventually('metric in Prometheus', 30, async () => {
      const result = await prometheusQuery(`tracehop_redaction_probe_total{probe_id="${probe.probeId}"}`);
      return result.length > 0 ? result : undefined;
    });
    expectNoPii(samples);
    expect(samples[0].metric.user_email).toBe('[REDACTED_EMAIL]');
  });
});
