import { Body, Controller, Get, HttpCode, Inject, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { trace } from '@opentelemetry/api';
import { IsString, Length } from 'class-validator';
import type { Logger } from 'winston';
import { validationProblem } from '../http/validation';
import { KafkaClients } from '../kafka/kafka-clients';
import { LOGGER } from '../logging';
import { Faults } from './faults';
import { LoopbackOnlyGuard } from './loopback-only.guard';

export class PoisonMessageRequest {
  @ApiProperty({ example: 'orders.order-created.v1', description: 'Topic to put an unparseable record on' })
  @IsString()
  @Length(1, 249)
  topic!: string;
}

@ApiTags('admin (failure injection, loopback only)')
@UseGuards(LoopbackOnlyGuard)
@Controller('admin/faults')
export class AdminController {
  constructor(
    private readonly faults: Faults,
    private readonly kafka: KafkaClients,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Current failure-injection switches' })
  current() {
    return this.faults.describe();
  }

  @Patch()
  @ApiOperation({ summary: 'Change switches, e.g. {"processorFailureRate": 0.5}; all or nothing' })
  @ApiBody({ schema: { type: 'object', additionalProperties: { type: 'number' } } })
  change(@Body() changes: unknown) {
    const problems = this.faults.update(changes);
    if (problems) throw validationProblem(problems);
    this.logger.warn('failure injection changed', { faults: JSON.stringify(this.faults.describe()) });
    return this.faults.describe();
  }

  @Post('poison-message')
  @HttpCode(202)
  @ApiOperation({ summary: 'Produce one unparseable record (with trace context) to a topic: its consumer sends it to the DLQ and goes on' })
  async poison(@Body() request: PoisonMessageRequest) {
    const [ack] = await this.kafka.producer.send({ topic: request.topic, messages: [{ key: 'poison', value: '{"this is": not json' }] });
    const traceId = trace.getActiveSpan()?.spanContext().traceId;
    this.logger.warn('poison message produced', { topic: request.topic, partition: ack?.partition, offset: ack?.baseOffset });
    return { topic: request.topic, partition: ack?.partition, offset: ack?.baseOffset, traceId };
  }
}
