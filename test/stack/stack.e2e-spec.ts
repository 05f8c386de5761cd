import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { loadManifest } from '../../infra/stack/src/manifest';
import { connectionConfig } from '../../libs/service-kit/src/database/connection-config';
import { endpoints, jaegerTrace, logsForTrace, prometheusQuery, storedSpans } from '../support/backends';
import { eventually } from '../support/eventually';
import { withTopics } from '../support/kafka-topics';
import { probePii, sendProbe, type ProbeResult } from '../support/otlp-probe';
import { stackCommand, stackCommandResult, stackStatus, type ComponentStatus } from '../support/stack-cli';

const manifest = loadManifest();

/** Every process in the process groups the stack started (Elasticsearch-style launchers fork). */
function stackPids(statuses: ComponentStatus[]): Set<number> {
  const groups = new Set(statuses.flatMap((s) => (s.pid ? [s.pid] : [])));
  const pids = new Set<number>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const pgid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[2]);
      if (groups.has(pgid)) pids.add(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Listening TCP sockets as [local address, pid]. */
function listeners(): { address: string; pid: number }[] {
  const out = execFileSync('ss', ['-ltnpH']).toString();
  return out
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      const columns = line.trim().split(/\s+/);
      return [...line.matchAll(/pid=(\d+)/g)].map((m) => ({ address: columns[3], pid: Number(m[1]) }));
    });
}

describe('native stack', () => {
  let statuses: ComponentStatus[];

  beforeAll(async () => {
    statuses = await stackStatus();
  });

  it('reports every component healthy with its endpoints', () => {
    expect(statuses.map((s) => s.name).sort()).toEqual([
      'agent',
      'gateway',
      'jaeger',
      'kafka',
      'postgres',
      'prometheus',
      'search',
      'victorialogs',
    ]);
    for (const status of statuses) {
      expect({ name: status.name, state: status.state }).toEqual({ name: status.name, state: 'healthy' });
      expect(status.endpoints.length).toBeGreaterThan(0);
    }
  });

  it('binds every listener of every component to 127.0.0.1', () => {
    const ours = stackPids(statuses);
    const sockets = listeners().filter((l) => ours.has(l.pid));
    expect(sockets.length).toBeGreaterThanOrEqual(Object.keys(manifest.ports).length - 2);
    for (const socket of sockets) expect(socket.address).toMatch(/^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]):\d+$/);
  });

  it('Kafka: produces and consumes a message', async () => {
    // kafkajs logs the broker's normal start-up answers (no group coordinator yet) as errors; the assertions speak.
    const kafka = new Kafka({ clientId: 'stack-test', brokers: [endpoints.kafka], logLevel: logLevel.NOTHING });
    const topic = `stack-test-${randomUUID()}`;
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: `${topic}-group` });
    await withTopics(kafka, [topic], async () => {
      try {
        await producer.connect();
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        const received = new Promise<{ key: string; value: string; header: string }>((resolve) => {
          void consumer.run({
            eachMessage: async ({ message }) =>
              resolve({ key: String(message.key), value: String(message.value), header: String(message.headers?.probe) }),
          });
        });
        await producer.send({ topic, messages: [{ key: 'k1', value: 'hello stack', headers: { probe: 'yes' } }] });
        await expect(received).resolves.toEqual({ key: 'k1', value: 'hello stack', header: 'yes' });
      } finally {
        await consumer.disconnect();
        await producer.disconnect();
      }
    });
  });

  it('Jaeger reports the pinned release (built from a module tag, it would report none)', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${manifest.ports.JAEGER_METRICS_PORT}/metrics`)).text();
    const targetInfo = metrics.split('\n').find((line) => line.startsWith('target_info{'));
    expect(targetInfo).toContain('service_name="jaeger"');
    expect(targetInfo).toContain(`service_version="${manifest.components.jaeger.release}"`);
  });

  it('Postgres: refuses a connection without the generated password', async () => {
    const db = new Client({
      host: '127.0.0.1',
      port: endpoints.postgresPort,
      user: 'postgres',
      database: 'postgres',
      password: 'not-the-password',
    });
    await expect(db.connect()).rejects.toThrow(/password authentication failed/);
    await db.end().catch(() => undefined);
  });

  it.each(manifest.databases)('Postgres: a SQL round trip in the %s database (password from PGPASSFILE)', async (database) => {
    const db = new Client(connectionConfig(`postgres://postgres@127.0.0.1:${endpoints.postgresPort}/${database}`));
    await db.connect();
    try {
      await db.query('create temporary table probe (id serial primary key, note text not null)');
      await db.query('insert into probe (note) values ($1)', [`hello ${database}`]);
      const { rows } = await db.query<{ note: string }>('select note from probe');
      expect(rows).toEqual([{ note: `hello ${database}` }]);
    } finally {
      await db.end();
    }
  });

  describe('one span, log record and metric point sent to the agent over OTLP gRPC', () => {
    let probe: ProbeResult;

    beforeAll(async () => {
      probe = await sendProbe(endpoints.agentGrpc);
    });

    it('reaches Jaeger within 10 seconds, with PII redacted by the agent', async () => {
      const found = await eventually('span in Jaeger', 10, () => jaegerTrace(probe.traceId));
      const span = found.spans.find((s) => s.operationName === 'probe stack');
      expect(found.processes[span!.processID].serviceName).toBe(probe.serviceName);
      const tags = Object.fromEntries(span!.tags.map((t) => [t.key, t.value]));
      expect(tags['probe.id']).toBe(probe.probeId);
      expect(tags['user.email']).toBe('[REDACTED_EMAIL]');
      expect(tags['payment.card']).toBe('[REDACTED_CARD]');
    });

    it('stores the same trace in the search engine', async () => {
      const found = await eventually('span in Jaeger', 10, () => jaegerTrace(probe.traceId));
      const docs = await eventually('span documents in OpenSearch', 10, async () => {
        const hits = await storedSpans(found.traceID);
        return hits.length > 0 ? hits : undefined;
      });
      expect(docs.map((d) => d.operationName)).toContain('probe stack');
    });

    it('puts the log record in VictoriaLogs, found by its trace_id through LogsQL within 10 s, with span_id and PII redacted', async () => {
      const entries = await eventually('log in VictoriaLogs', 10, async () => {
        const found = await logsForTrace(probe.serviceName, probe.traceId);
        return found.length > 0 ? found : undefined;
      });
      expect(entries).toHaveLength(1);
      expect(entries[0].fields.span_id).toBe(probe.spanId);
      expect(entries[0].message).toContain(`probe ${probe.probeId}`);
      expect(JSON.stringify(entries[0])).not.toContain(probePii.email);
      expect(JSON.stringify(entries[0])).not.toContain(probePii.card);
      expect(entries[0].message).toContain('[REDACTED_EMAIL]');
    });

    it('exposes the metric point through Prometheus', async () => {
      const samples = await eventually('metric in Prometheus', 30, async () => {
        const result = await prometheusQuery(`tracehop_stack_probe_total{probe_id="${probe.probeId}"}`);
        return result.length > 0 ? result : undefined;
      });
      expect(Number(samples[0].value[1])).toBe(1);
    });

    it('derives span metrics at the gateway before sampling', async () => {
      const samples = await eventually('span metrics in Prometheus', 30, async () => {
        const result = await prometheusQuery(`traces_span_metrics_calls_total{service_name="${probe.serviceName}"}`);
        return result.length > 0 ? result : undefined;
      });
      expect(samples[0].metric.span_name).toBe('probe stack');
    });
  });
});

describe('stack lifecycle', () => {
  it('down stops every process and frees every port; a failed up cleans up after itself; up brings all back healthy', async () => {
    const before = await stackStatus();
    const pids = stackPids(before);
    expect(pids.size).toBeGreaterThanOrEqual(before.length);

    await stackCommand('down');
    const alive = [...pids].filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
    const ports = new Set(Object.values(manifest.ports).map(String));
    expect(listeners().filter((l) => ports.has(l.address.split(':').pop()!))).toEqual([]);
    expect((await stackStatus()).map((s) => s.state)).toEqual(before.map(() => 'stopped'));

    // A component that cannot start names itself and the retry command, and what this run had
    // already started (postgres, before kafka) is stopped again: nothing is left half-started.
    const squatter = createServer();
    await new Promise<void>((listening) => squatter.listen(manifest.ports.KAFKA_PORT, '127.0.0.1', listening));
    try {
      const failed = await stackCommandResult('up');
      expect(failed.code).not.toBe(0);
      expect(failed.output).toContain('kafka failed: ports already in use');
      expect(failed.output).toContain(`KAFKA_PORT=${manifest.ports.KAFKA_PORT} is in use by`);
      expect(failed.output).toContain('Retry with: npm run stack -- up');
      expect(failed.output).toContain('stopped what this run started (postgres)');
      expect((await stackStatus()).map((s) => s.state)).toEqual(before.map(() => 'stopped'));
    } finally {
      await new Promise((closed) => squatter.close(closed));
    }

    const started = Date.now();
    await stackCommand('up');
    console.log(`warm up after down: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect((await stackStatus()).map((s) => `${s.name}: ${s.state}`)).toEqual(before.map((s) => `${s.name}: healthy`));
  });
});
