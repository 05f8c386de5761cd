import { infraFile } from '../config-files';
import { collectorBuildStep, goBinaryPath, type GoBinary } from '../install/go-build';
import { port } from '../manifest';
import { baselineThreshold } from '../tail-sampling';
import type { Component, StackContext } from './component';
import { answersOk } from './http-probe';

/** One collector distribution serves both roles; each role has its own config file. */
const collectorBinary: GoBinary = {
  name: 'collector',
  version: (ctx) => ctx.manifest.components.collector.version,
  binaryName: 'tracehop-otelcol',
};
const collectorConfig = (file: string) => infraFile(`collector/${file}`);
const buildStep = collectorBuildStep(collectorBinary, collectorConfig('builder-config.yaml'));

/** The variables of these names that are set. */
const presentEnv = (names: string[]): Record<string, string> =>
  Object.fromEntries(names.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]!]])));

/** The collectors' health_check extension answers 200 only once every pipeline has started. */
const healthCheckPasses = (ctx: StackContext, portName: string) => answersOk(`http://127.0.0.1:${port(ctx.manifest, portName)}/`);

export const agent: Component = {
  name: 'agent',
  title: 'OTel Collector agent',
  dependsOn: ['gateway'],
  ports: ['AGENT_OTLP_GRPC_PORT', 'AGENT_OTLP_HTTP_PORT', 'AGENT_HEALTH_PORT', 'AGENT_METRICS_PORT'],
  endpoints: (ctx) => [
    `otlp grpc 127.0.0.1:${port(ctx.manifest, 'AGENT_OTLP_GRPC_PORT')}`,
    `otlp http 127.0.0.1:${port(ctx.manifest, 'AGENT_OTLP_HTTP_PORT')}`,
  ],
  install: [buildStep],
  launch: (ctx) => ({
    command: goBinaryPath(ctx, collectorBinary),
    args: ['--config', collectorConfig('agent.yaml')],
    // Its memory budget when set (agent.yaml has the defaults): changing it restarts the agent alone.
    env: presentEnv(['AGENT_MEMORY_LIMIT_MIB', 'AGENT_MEMORY_SPIKE_LIMIT_MIB']),
  }),
  isReady: (ctx) => healthCheckPasses(ctx, 'AGENT_HEALTH_PORT'),
  readyTimeoutSeconds: 30,
};

/**
 * The gateway's tail-sampling settings: the variable of each name when set, else the manifest's
 * (the ones compose uses too). In the launch itself, so changing one restarts the gateway alone.
 */
function gatewaySamplingEnv(ctx: StackContext): Record<string, string> {
  const setting = (name: string) => process.env[name] ?? ctx.manifest.compose.settings[name];
  return {
    TAIL_SAMPLING_BASELINE_THRESHOLD: baselineThreshold(setting('TAIL_SAMPLING_BASELINE_PERCENT')),
    TAIL_SAMPLING_DECISION_WAIT: setting('TAIL_SAMPLING_DECISION_WAIT'),
    TAIL_SAMPLING_SLOW_MS: setting('TAIL_SAMPLING_SLOW_MS'),
  };
}

export const gateway: Component = {
  name: 'gateway',
  title: 'OTel Collector gateway',
  dependsOn: ['jaeger', 'victorialogs'],
  ports: ['GATEWAY_OTLP_GRPC_PORT', 'GATEWAY_OTLP_HTTP_PORT', 'GATEWAY_HEALTH_PORT', 'GATEWAY_METRICS_PORT', 'GATEWAY_PROMETHEUS_PORT'],
  endpoints: (ctx) => [
    `otlp grpc 127.0.0.1:${port(ctx.manifest, 'GATEWAY_OTLP_GRPC_PORT')}`,
    `metrics http://127.0.0.1:${port(ctx.manifest, 'GATEWAY_PROMETHEUS_PORT')}/metrics`,
  ],
  install: [buildStep],
  launch: (ctx) => ({
    command: goBinaryPath(ctx, collectorBinary),
    args: ['--config', collectorConfig('gateway.yaml')],
    env: gatewaySamplingEnv(ctx),
  }),
  isReady: (ctx) => healthCheckPasses(ctx, 'GATEWAY_HEALTH_PORT'),
  readyTimeoutSeconds: 30,
};
