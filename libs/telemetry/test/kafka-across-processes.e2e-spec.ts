import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jaegerTrace, logsForTrace, prometheusQuery, type JaegerTrace } from '../../../test/support/backends';
import { eventually } from '../../../test/support/eventually';
import { kafkaBrokers } from '../../../test/support/kafka-source';
import type { HopMode } from '../src/types';

const run = promisify(execFile);
const repo = join(__dirname, '../../..');

/** Runs a fixture as its own Node process with the telemetry preload, as a service would run. */
async function service(fixture: string, serviceName: string, env: Record<string, string>): Promise<Record<string, string>> {
  const { stdout } = await run(
    process.execPath,
    ['--require', 'tsx/cjs', '--require', join(repo, 'libs/telemetry/src/register.ts'), join(__dirname, 'fixtures', fixture)],
    { cwd: repo, env: { ...process.env, ...env, OTEL_SERVICE_NAME: serviceName, OTEL_METRIC_EXPORT_INTERVAL: '1000' }, timeout: 60_000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, string>;
}

async function oneMessageBetweenTwoServices(hopMode: HopMode) {
  const runId = randomUUID().slice(0, 8);
  const topic = `orders-${hopMode}-${runId}`;
  const producerName = `fixture-producer-${runId}`;
  const consumerName = `fixture-consumer-${runId}`;
  const env = { TOPIC: topic, KAFKA_BROKERS: kafkaBrokers(), TRACEHOP_KAFKA_HOP_MODE: hopMode };
  const produced = await service('kafka-producer.ts', producerName, env);
  const consumed = await service('kafka-consumer.ts', consumerName, env);
  return { topic, producerName, consumerName, produced, consumed };
}

const serviceOf = (t: JaegerTrace, spanId: string) => t.processes[t.spans.find((s) => s.spanID === spanId)!.processID].serviceName;
const spanIn = (t: JaegerTrace, name: string) => t.spans.find((s) => s.operationName === name);
const fullTrace = (traceId: string, spans: number) =>
  eventually(`trace ${traceId} with ${spans} spans in Jaeger`, 20, async () => {
    const found = await jaegerTrace(traceId);
    return found && found.spans.length >= spans ? found : undefined;
  });

describe('one Kafka message between two processes, read back from Jaeger and VictoriaLogs', () => {
  it('child mode: one trace, send (PRODUCER) is the parent of process (CONSUMER) across two services; the handler log carries the process span ids', async () => {
    const { topic, producerName, consumerName, produced, consumed } = await oneMessageBetweenTwoServices('child');
    expect(consumed.traceId).toBe(produced.traceId);
    const found = await fullTrace(produced.traceId, 3);
    const send = spanIn(found, `send ${topic}`)!;
    const process = spanIn(found, `process ${topic}`)!;
    const tag = (span: typeof send, key: string) => span.tags.find((t) => t.key === key)?.value;
    expect(tag(send, 'span.kind')).toBe('producer');
    expect(tag(process, 'span.kind')).toBe('consumer');
    expect(serviceOf(found, send.spanID)).toBe(producerName);
    expect(serviceOf(found, process.spanID)).toBe(consumerName);
    expect((process as unknown as { references: { refType: string; spanID: string }[] }).references).toEqual([
      expect.objectContaining({ refType: 'CHILD_OF', spanID: send.spanID }),
    ]);
    expect(process.spanID).toBe(consumed.spanId);
    expect(tag(process, 'messaging.consumer.group.name')).toBe(`${topic}-fixture`);
    expect(String(tag(send, 'messaging.kafka.message.key'))).not.toContain('customer-7');

    const logs = await eventually('handler log in VictoriaLogs', 20, async () => {
      const entries = await logsForTrace(consumerName, consumed.traceId);
      return entries.length ? entries : undefined;
    });
    expect(logs[0].message).toContain('handled order message');
    expect(logs[0].fields.span_id).toBe(consumed.spanId);

    const processed = await eventually('messaging metrics in Prometheus', 30, async () => {
      const samples = await prometheusQuery(`messaging_process_duration_seconds_count{messaging_destination_name="${topic}"}`);
      return samples.length ? samples : undefined;
    });
    expect(processed[0].metric.messaging_consumer_group_name).toBe(`${topic}-fixture`);
    expect(Number(processed[0].value[1])).toBe(1);
  });

  it('link mode: two traces, the process span links to the send span', async () => {
    const { topic, produced, consumed } = await oneMessageBetweenTwoServices('link');
    expect(consumed.traceId).not.toBe(produced.traceId);
    const producerTrace = await fullTrace(produced.traceId, 2);
    const consumerTrace = await fullTrace(consumed.traceId, 1);
    const send = spanIn(producerTrace, `send ${topic}`)!;
    const process = spanIn(consumerTrace, `process ${topic}`) as unknown as {
      references: { refType: string; traceID: string; spanID: string }[];
    };
    expect(process.references).toEqual([
      expect.objectContaining({ refType: 'FOLLOWS_FROM', traceID: produced.traceId, spanID: send.spanID }),
    ]);
  });
});
