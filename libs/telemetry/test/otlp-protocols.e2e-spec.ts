import { randomUUID } from 'node:crypto';
import { collectorCounter, endpoints } from '../../../test/support/backends';
import { eventually } from '../../../test/support/eventually';
import { launchService, stopService, waitUntilReady } from '../../../test/support/services';

/** The span names Jaeger holds for a service (empty until it has any). */
async function spanNamesInJaeger(serviceName: string): Promise<string[]> {
  const body = (await (await fetch(`${endpoints.jaeger}/api/traces?service=${serviceName}&lookback=1h&limit=20`)).json()) as {
    data?: { spans: { operationName: string }[] }[];
  };
  return (body.data ?? []).flatMap((trace) => trace.spans.map((span) => span.operationName));
}

/** Spans the agent's OTLP receiver accepted over one transport so far (its own Prometheus metrics). */
const agentAcceptedSpans = (transport: 'grpc' | 'http') =>
  collectorCounter(endpoints.agentMetrics, 'otelcol_receiver_accepted_spans', { transport });

// A real service (a separate Node process: the HTTP exporters load their transport with a dynamic
// import, which Jest's module sandbox cannot run) exporting to the agent's default HTTP endpoint.
describe('OTLP over HTTP, chosen by OTEL_EXPORTER_OTLP_PROTOCOL (real service, agent, gateway, Jaeger)', () => {
  it.each(['http/protobuf', 'http/json'])('%s: the service’s spans reach Jaeger through the agent’s HTTP port', async (protocol) => {
    const serviceName = `user-service-${protocol.replace('/', '-')}-${randomUUID().slice(0, 8)}`;
    const service = launchService('user-service', { OTEL_SERVICE_NAME: serviceName, OTEL_EXPORTER_OTLP_PROTOCOL: protocol, PORT: '3191' });
    const acceptedBefore = await agentAcceptedSpans('http');
    try {
      await waitUntilReady(service);
      expect((await fetch(`${service.url}/users/${randomUUID()}`)).status).toBe(404);
      const names = await eventually(`${serviceName} spans in Jaeger`, 40, async () => {
        const found = await spanNamesInJaeger(serviceName);
        return found.includes('GET /users/:id') ? found : undefined;
      });
      expect(names).toContain('GET /users/:id');
      // …and they came over HTTP, not the gRPC default.
      expect(await agentAcceptedSpans('http')).toBeGreaterThan(acceptedBefore);
    } finally {
      await stopService(service);
    }
  });
});
