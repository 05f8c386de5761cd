import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { WinstonModule } from 'nest-winston';
import { createLogger, traceResponse } from '@tracehop/telemetry';
import { ConfigError } from './config/parse-env';
import type { ServiceConfig } from './config/service-config';
import { closeRequestBodySchemas } from './http/openapi';

export interface ServiceDefinition<Config extends ServiceConfig> {
  name: string;
  description: string;
  /** Parses the environment; a ConfigError stops the boot with the variables it names. */
  loadConfig: () => Config;
  module: (config: Config) => DynamicModule;
}

/**
 * Boots a service: config first (a bad environment exits 1 naming the variables), then Nest with
 * Winston logs, OpenAPI at /docs (JSON at /docs-json), shutdown hooks (SIGTERM: consumers leave
 * their groups, in-flight work finishes, telemetry flushes), listening on HOST (127.0.0.1).
 */
export async function runService<Config extends ServiceConfig>(definition: ServiceDefinition<Config>): Promise<void> {
  const logger = createLogger({ serviceName: definition.name });
  let config: Config;
  try {
    config = definition.loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logger.error(`${definition.name} cannot start: ${error.message}`, { problems: error.problems });
    process.exitCode = 1;
    return;
  }
  const app = await NestFactory.create<NestExpressApplication>(definition.module(config), {
    // Nest's own messages as the same JSON lines, trace-correlated, as the application's.
    logger: WinstonModule.createLogger({ instance: logger }),
  });
  app.disable('x-powered-by');
  // Before Nest's body parsers and routes, so 404s and malformed bodies name their trace too.
  app.use(traceResponse);
  // Exit 0 once the shutdown hooks ran (telemetry flushed last, in ServiceLifecycle): without
  // useProcessExit Nest re-raises the signal, and the exit status depended on whether the event loop
  // happened to drain during the final flush (0) or not (killed by SIGTERM).
  app.enableShutdownHooks([], { useProcessExit: true });
  const openApi = new DocumentBuilder().setTitle(definition.name).setDescription(definition.description).setVersion('1').build();
  SwaggerModule.setup('docs', app, () => closeRequestBodySchemas(SwaggerModule.createDocument(app, openApi)), {
    jsonDocumentUrl: 'docs-json',
  });
  await app.listen(config.PORT, config.HOST);
  logger.info(`${definition.name} listening on http://${config.HOST}:${config.PORT} (OpenAPI: /docs)`);
}
