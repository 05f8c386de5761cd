import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as a collector exported it (OTLP/JSON): enough to tell a whole trace from a part of one. */
export interface TappedSpan {
  spanId: string;
  service: string;
  name: string;
  error: boolean;
}

interface OtlpJsonTraces {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: { spans?: { traceId: string; spanId: string; name: string; status?: { code?: number | string } }[] }[];
  }[];
}

/**
 * An OTLP/HTTP JSON receiver for traces (a collector's `otlp_http` exporter with `encoding: json`,
 * `compression: none`): the ground truth of which spans a collector let through, by trace id.
 */
export class SpanTap {
  readonly traces = new Map<string, Map<string, TappedSpan>>();
  spanCount = 0;
  /** When a span last arrived (epoch ms): the tap is quiet when this stops moving. */
  lastArrival = 0;

  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        this.record(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpJsonTraces);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (error) {
        response.writeHead(400).end(String(error));
      }
    });
  });

  private constructor() {}

  /** Where a collector's exporter sends (its traces_endpoint). */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/traces`;
  }

  static async start(): Promise<SpanTap> {
    const tap = new SpanTap();
    tap.server.listen(0, '127.0.0.1');
    await once(tap.server, 'listening');
    return tap;
  }

  private record(body: OtlpJsonTraces): void {
    for (const resourceSpans of body.resourceSpans ?? []) {
      const service = resourceSpans.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
      for (const scopeSpans of resourceSpans.scopeSpans ?? [])
        for (const span of scopeSpans.spans ?? []) {
          const spans = this.traces.get(span.traceId) ?? new Map<string, TappedSpan>();
          this.traces.set(span.traceId, spans);
          if (!spans.has(span.spanId)) this.spanCount++;
          const code = span.status?.code;
          spans.set(span.spanId, { spanId: span.spanId, service, name: span.name, error: code === 2 || code === 'STATUS_CODE_ERROR' });
        }
    }
    this.lastArrival = Date.now();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
