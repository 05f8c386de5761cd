import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { sql, type Kysely } from 'kysely';
import { EventConsumers } from '../consumer/event-consumers';
import { DATABASE } from '../database/database';
import { ApiProblemResponses } from '../http/openapi';
import { KafkaClients } from '../kafka/kafka-clients';

const PING_TIMEOUT_MS = 2_000;

const checkStates: SchemaObject = {
  type: 'object',
  additionalProperties: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['up', 'down'] } } },
};
/**
 * terminus' report of a healthy service. HealthCheck's own OpenAPI is switched off: it documents
 * the 503 as application/json, but ProblemDetailsFilter answers it as a problem.
 */
const HEALTHY: SchemaObject = {
  type: 'object',
  required: ['status', 'info', 'error', 'details'],
  properties: { status: { type: 'string', enum: ['ok'] }, info: checkStates, error: checkStates, details: checkStates },
};

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(DATABASE) private readonly db: Kysely<unknown>,
    private readonly kafka: KafkaClients,
    private readonly consumers: EventConsumers,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers (restart it if not)' })
  @ApiOkResponse({ schema: HEALTHY })
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: Postgres answers, Kafka answers, the producer is connected and every consumer group has joined' })
  @ApiOkResponse({ schema: HEALTHY })
  @ApiProblemResponses({ 503: "A check is down: problem details with terminus' `info` and `details` (each check's state) as extensions" })
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  ready() {
    return this.health.check([() => this.postgres(), () => this.kafkaReady()]);
  }

  private async postgres() {
    const indicator = this.indicators.check('postgres');
    try {
      await sql`select 1`.execute(this.db);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }

  private async kafkaReady() {
    const indicator = this.indicators.check('kafka');
    try {
      await this.kafka.ping(PING_TIMEOUT_MS);
    } catch (error) {
      return indicator.down({ message: `broker: ${(error as Error).message}` });
    }
    if (!this.kafka.connected) return indicator.down({ message: 'producer not connected' });
    const waiting = this.consumers.notReady;
    return waiting.length ? indicator.down({ message: `consumer groups not joined: ${waiting.join(', ')}` }) : indicator.up();
  }
}
