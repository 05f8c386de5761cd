import { infraFile } from '../config-files';
import { goBinaryPath, wrapperModuleStep, type GoBinary } from '../install/go-build';
import { port } from '../manifest';
import type { Component } from './component';
import { answersOk } from './http-probe';

const jaegerBinary: GoBinary = {
  name: 'jaeger',
  version: (ctx) => ctx.manifest.components.jaeger.version,
  binaryName: 'jaeger',
  // Built from a module tag (v1.x), the binary would report no version at all; this is the release.
  linkerSettings: (ctx) => ({ 'github.com/jaegertracing/jaeger/internal/version.latestVersion': ctx.manifest.components.jaeger.release }),
};

export const jaeger: Component = {
  name: 'jaeger',
  title: 'Jaeger v2 (query API)',
  dependsOn: ['search'],
  ports: [
    'JAEGER_OTLP_GRPC_PORT',
    'JAEGER_OTLP_HTTP_PORT',
    'JAEGER_QUERY_PORT',
    'JAEGER_QUERY_GRPC_PORT',
    'JAEGER_HEALTH_PORT',
    'JAEGER_METRICS_PORT',
  ],
  endpoints: (ctx) => [
    `http://127.0.0.1:${port(ctx.manifest, 'JAEGER_QUERY_PORT')}/api/traces/{id}`,
    `otlp grpc 127.0.0.1:${port(ctx.manifest, 'JAEGER_OTLP_GRPC_PORT')}`,
  ],
  install: [wrapperModuleStep(jaegerBinary, 'infra/native/jaeger', 'github.com/jaegertracing/jaeger/cmd/jaeger')],
  launch: (ctx) => ({
    command: goBinaryPath(ctx, jaegerBinary),
    args: ['--config', infraFile('jaeger/jaeger.yaml')],
    // Jaeger's query service always builds an OTLP tracer for itself (to localhost:4317, our agent):
    // its own API calls would show up as traces of a "jaeger" service. Sample nothing.
    env: { OTEL_TRACES_SAMPLER: 'always_off' },
  }),
  // Healthy only after the storage extension reached OpenSearch and the pipelines started.
  isReady: async (ctx) =>
    (await answersOk(`http://127.0.0.1:${port(ctx.manifest, 'JAEGER_HEALTH_PORT')}/status`)) &&
    answersOk(`http://127.0.0.1:${port(ctx.manifest, 'JAEGER_QUERY_PORT')}/api/services`),
  readyTimeoutSeconds: 60,
};
