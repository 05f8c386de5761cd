import type { OtlpProtocol, OtlpSignal } from '../../types';

/** OTEL_EXPORTER_OTLP_PROTOCOL's values (the OTLP exporter specification's). */
export const OTLP_PROTOCOLS = ['grpc', 'http/protobuf', 'http/json'] as const satisfies readonly OtlpProtocol[];

/**
 * Where one signal goes, as the OTLP exporter specification resolves it: the signal's own endpoint
 * as is; else the common endpoint (for HTTP with `/v1/<signal>` appended); else the agent on
 * 127.0.0.1 (not `localhost`, which may resolve to ::1, where the agent does not listen).
 */
export function otlpEndpoint(protocol: OtlpProtocol, signal: OtlpSignal, own: string | undefined, common: string | undefined): string {
  if (own) return own;
  const base = common ?? (protocol === 'grpc' ? 'http://127.0.0.1:4317' : 'http://127.0.0.1:4318');
  return protocol === 'grpc' ? base : `${base.replace(/\/+$/, '')}/v1/${signal}`;
}
