import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createHttp2Server, type IncomingHttpHeaders as Http2Headers } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { traceExporter } from '../src/internal/export/otlp-exporters';
import { telemetryOptions } from '../src/internal/options';

/**
 * What the OTLP exporters 0.301.0 read from the environment themselves although tracehop hands them
 * a URL: headers, compression and (tracehop's resolution of) the timeout reach the wire.
 */
const run = promisify(execFile);
const repo = join(__dirname, '../../..');
const savedEnv = { ...process.env };
afterEach(() => {
  process.env = { ...savedEnv };
});

async function oneSpan(): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  provider.getTracer('export-env-spec').startSpan('work', {}, ROOT_CONTEXT).end();
  await provider.forceFlush();
  return memory.getFinishedSpans();
}

function exportVia(env: Record<string, string>, spans: ReadableSpan[]): Promise<ExportResult> {
  Object.assign(process.env, env);
  const exporter = traceExporter(telemetryOptions(process.env).export.traces);
  return new Promise<ExportResult>((done) => exporter.export(spans, done)).finally(() => exporter.shutdown());
}

describe('OTLP exporter settings the exporters read from the environment', () => {
  it('gRPC: OTEL_EXPORTER_OTLP_[TRACES_]HEADERS, _COMPRESSION and _TIMEOUT reach the request', async () => {
    const seen: Http2Headers[] = [];
    const server = createHttp2Server((request, response) => {
      seen.push(request.headers);
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/grpc' });
        response.addTrailers({ 'grpc-status': '0' });
        response.end(Buffer.alloc(5));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const result = await exportVia(
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=shop,x-common=1',
          OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=orders',
          OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip',
          OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '4000',
        },
        await oneSpan(),
      );
      expect(result.code).toBe(ExportResultCode.SUCCESS);
      expect(seen[0]).toMatchObject({ 'x-tenant': 'orders', 'x-common': '1', 'grpc-encoding': 'gzip' });
      // grpc-timeout carries the deadline: 4 s less the few milliseconds before sending.
      expect(Number(String(seen[0]['grpc-timeout']).replace(/m$/, ''))).toBeGreaterThan(3000);
      expect(Number(String(seen[0]['grpc-timeout']).replace(/m$/, ''))).toBeLessThanOrEqual(4000);
    } finally {
      server.close();
    }
  });

  it('gRPC: an export to a collector that never answers fails after OTEL_EXPORTER_OTLP_TIMEOUT', async () => {
    const server = createHttp2Server(() => undefined);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const started = Date.now();
      const result = await exportVia(
        { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, OTEL_EXPORTER_OTLP_TIMEOUT: '300' },
        await oneSpan(),
      );
      expect(result).toMatchObject({ code: ExportResultCode.FAILED, error: { code: 4 } });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      server.close();
    }
  });

  // In a separate Node process: the HTTP exporters load their transport with a dynamic import, which
  // Jest's module sandbox cannot run.
  it('HTTP: headers and compression reach the request', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers);
      request.resume();
      request.on('end', () => response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const script = `
      const { ROOT_CONTEXT } = require('@opentelemetry/api');
      const { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } = require('@opentelemetry/sdk-trace');
      const { traceExporter } = require('./libs/telemetry/src/internal/export/otlp-exporters');
      const { telemetryOptions } = require('./libs/telemetry/src/internal/options');
      const memory = new InMemorySpanExporter();
      const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
      provider.getTracer('export-env-spec').startSpan('work', {}, ROOT_CONTEXT).end();
      const exporter = traceExporter(telemetryOptions(process.env).export.traces);
      exporter.export(memory.getFinishedSpans(), (result) => { console.log(JSON.stringify({ code: result.code })); exporter.shutdown(); });`;
    try {
      const { stdout } = await run(join(repo, 'node_modules/.bin/node'), ['--require', 'tsx/cjs', '-e', script], {
        cwd: repo,
        env: {
          ...process.env,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc',
          OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
        },
      });
      expect(JSON.parse(stdout.trim())).toEqual({ code: ExportResultCode.SUCCESS });
      expect(seen[0]).toMatchObject({ authorization: 'Bearer abc', 'content-encoding': 'gzip' });
    } finally {
      server.close();
    }
  });
});
