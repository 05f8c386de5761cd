import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { infraFile, renderConfig } from '../config-files';
import { mavenClasspathStep, mavenLibDir, type MavenClasspath } from '../install/maven';
import { runCommand } from '../install/run-command';
import { port } from '../manifest';
import type { Component, StackContext } from './component';
import { javaHome } from './java';

const brokerClasspath: MavenClasspath = {
  component: 'kafka',
  pom: infraFile('native/kafka/pom.xml'),
  versionProperty: 'kafka.version',
  version: (ctx) => ctx.manifest.components.kafka.version,
  markerJar: (ctx) => `kafka_2.13-${ctx.manifest.components.kafka.version}.jar`,
};
const log4jConfig = infraFile('native/kafka/log4j2.yaml');

function java(ctx: StackContext, mainClass: string, args: string[], heap: string[] = []): [string, string[]] {
  return [
    join(javaHome(), 'bin/java'),
    [...heap, `-Dlog4j2.configurationFile=${log4jConfig}`, '-cp', `${mavenLibDir(ctx, brokerClasspath)}/*`, mainClass, ...args],
  ];
}

const serverProperties = (ctx: StackContext) =>
  renderConfig(ctx, infraFile('native/kafka/server.properties'), 'kafka', 'server.properties');

export const kafka: Component = {
  name: 'kafka',
  title: 'Kafka broker (KRaft)',
  dependsOn: [],
  ports: ['KAFKA_PORT', 'KAFKA_CONTROLLER_PORT'],
  endpoints: (ctx) => [`127.0.0.1:${port(ctx.manifest, 'KAFKA_PORT')}`],
  install: [mavenClasspathStep(brokerClasspath)],
  initData: async (ctx) => {
    const dataDir = ctx.paths.data('kafka');
    if (existsSync(join(dataDir, 'meta.properties'))) return;
    mkdirSync(dataDir, { recursive: true });
    // KRaft storage must be formatted once with a cluster id: 16 random bytes, base64url.
    const clusterId = randomBytes(16).toString('base64url');
    const [cmd, args] = java(ctx, 'kafka.tools.StorageTool', [
      'format',
      '-t',
      clusterId,
      '-c',
      serverProperties(ctx),
      '--ignore-formatted',
    ]);
    await runCommand(ctx, cmd, args, { logFile: ctx.paths.logFile('kafka') });
  },
  launch: (ctx) => {
    const [command, args] = java(ctx, 'kafka.Kafka', [serverProperties(ctx)], ['-Xms256m', '-Xmx512m']);
    return { command, args };
  },
  isReady: async (ctx) => {
    // The client port opens only once the broker is unfenced; a metadata answer proves it serves.
    const admin = new Kafka({
      clientId: 'tracehop-stack',
      brokers: [`127.0.0.1:${port(ctx.manifest, 'KAFKA_PORT')}`],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 && cluster.controller !== null;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  },
  readyTimeoutSeconds: 90,
};
