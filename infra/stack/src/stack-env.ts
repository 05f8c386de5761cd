import { join } from 'node:path';
import type { Manifest } from './manifest';
import { repoRoot, type StackPaths } from './paths';
import type { StackSecrets } from './secrets';

/**
 * The environment every component and config file reads: the manifest's ports, the listen and
 * target addresses the shared collector and Jaeger configs expect (loopback here; container names
 * in compose), data folders and secret files (the agent→gateway token, Postgres' password).
 */
export function stackEnv(manifest: Manifest, paths: StackPaths, secrets: StackSecrets): Record<string, string> {
  const p = manifest.ports;
  const local = (name: keyof typeof p & string) => `127.0.0.1:${p[name]}`;
  const ports = Object.fromEntries(Object.entries(p).map(([name, value]) => [name, String(value)]));
  return {
    ...ports,
    KAFKA_DATA_DIR: paths.data('kafka'),
    SEARCH_DATA_DIR: paths.data('search'),
    AGENT_QUEUE_DIR: join(paths.data('agent'), 'queue'),
    GATEWAY_TOKEN_FILE: secrets.gatewayTokenFile,
    GATEWAY_TLS_CERT: secrets.gatewayCert,
    GATEWAY_TLS_KEY: secrets.gatewayKey,
    POSTGRES_PASSWORD_FILE: secrets.postgresPasswordFile,
    PGPASSFILE: secrets.pgpassFile,
    AGENT_OTLP_GRPC_ENDPOINT: local('AGENT_OTLP_GRPC_PORT'),
    AGENT_OTLP_HTTP_ENDPOINT: local('AGENT_OTLP_HTTP_PORT'),
    AGENT_HEALTH_ENDPOINT: local('AGENT_HEALTH_PORT'),
    AGENT_METRICS_HOST: '127.0.0.1',
    GATEWAY_OTLP_ENDPOINT: local('GATEWAY_OTLP_GRPC_PORT'),
    GATEWAY_OTLP_GRPC_ENDPOINT: local('GATEWAY_OTLP_GRPC_PORT'),
    GATEWAY_OTLP_HTTP_ENDPOINT: local('GATEWAY_OTLP_HTTP_PORT'),
    GATEWAY_HEALTH_ENDPOINT: local('GATEWAY_HEALTH_PORT'),
    GATEWAY_METRICS_HOST: '127.0.0.1',
    GATEWAY_PROMETHEUS_ENDPOINT: local('GATEWAY_PROMETHEUS_PORT'),
    KAFKA_METRICS_BROKERS: local('KAFKA_PORT'),
    JAEGER_OTLP_ENDPOINT: local('JAEGER_OTLP_GRPC_PORT'),
    JAEGER_OTLP_GRPC_ENDPOINT: local('JAEGER_OTLP_GRPC_PORT'),
    JAEGER_OTLP_HTTP_ENDPOINT: local('JAEGER_OTLP_HTTP_PORT'),
    JAEGER_QUERY_ENDPOINT: local('JAEGER_QUERY_PORT'),
    JAEGER_QUERY_GRPC_ENDPOINT: local('JAEGER_QUERY_GRPC_PORT'),
    JAEGER_HEALTH_ENDPOINT: local('JAEGER_HEALTH_PORT'),
    JAEGER_METRICS_HOST: '127.0.0.1',
    SEARCH_URL: `http://${local('SEARCH_PORT')}`,
    PROMETHEUS_RULES_DIR: join(repoRoot, 'infra/prometheus/rules'),
    VICTORIALOGS_OTLP_LOGS_ENDPOINT: `http://${local('VICTORIALOGS_HTTP_PORT')}/insert/opentelemetry/v1/logs`,
  };
}
