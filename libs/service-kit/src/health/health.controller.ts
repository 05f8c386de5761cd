import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { sql, type Kysely } from 'kysely';
import { EventConsumers } from '../consumer/event-consumers';
import { DATABASE } from '../database/database';
import { KafkaClients } from '../kafka/kafka-clients';

const PING_TIMEOUT_MS = 2_000;

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
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: Postgres answers, Kafka answers, the producer is connected and every consumer group has joined' })
  @HealthCheck()
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
