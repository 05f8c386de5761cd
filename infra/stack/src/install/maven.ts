import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { InstallStep, StackContext } from '../components/component';
import { runCommand } from './run-command';
import { fileInputs } from './stamp';

export interface MavenClasspath {
  component: string;
  /** pom.xml whose dependencies make up the classpath. */
  pom: string;
  /** The pom property the manifest's version overrides (-D), so the manifest stays the one pin. */
  versionProperty: string;
  version: (ctx: StackContext) => string;
  /** A jar whose presence proves the classpath was copied completely. */
  markerJar: (ctx: StackContext) => string;
}

export const mavenLibDir = (ctx: StackContext, classpath: MavenClasspath) =>
  join(ctx.paths.cache, classpath.component, classpath.version(ctx), 'lib');

/** Resolves a runtime classpath from Maven Central into a versioned lib folder in the cache. */
export function mavenClasspathStep(classpath: MavenClasspath): InstallStep {
  return {
    title: 'resolve jars from Maven Central',
    inputs: (ctx) => [classpath.version(ctx), ...fileInputs(classpath.pom)],
    outputExists: (ctx) => existsSync(join(mavenLibDir(ctx, classpath), classpath.markerJar(ctx))),
    run: (ctx) =>
      runCommand(
        ctx,
        'mvn',
        [
          '-B',
          '--no-transfer-progress',
          '-Dstyle.color=never',
          `-Dmaven.repo.local=${join(ctx.paths.cache, 'm2')}`,
          `-D${classpath.versionProperty}=${classpath.version(ctx)}`,
          '-f',
          classpath.pom,
          'dependency:copy-dependencies',
          '-DincludeScope=runtime',
          `-DoutputDirectory=${mavenLibDir(ctx, classpath)}`,
        ],
        { logFile: join(ctx.paths.cache, 'logs', `${classpath.component}-install.log`) },
      ),
  };
}
