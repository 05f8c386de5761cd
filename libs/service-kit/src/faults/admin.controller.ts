import { Body, Controller, Get, HttpCode, Inject, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { trace } from '@opentelemetry/api';
import { IsString, Matches } from 'class-validator';
import type { Logger } from 'winston';
import { ApiProblemResponses } from '../http/openapi';
import { ProblemException } from '../http/problem';
import { validationProblem } from '../http/validation';
import { KafkaClients } from '../kafka/kafka-clients';
import { LOGGER } from '../logging';
import { Faults } from './faults';
import { LoopbackOnlyGuard } from './loopback-only.guard';

/** Kafka's legal topic names: anything else is a 400 here, not a broker error (500). */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

const SWITCHES: SchemaObject = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    required: ['value', 'description'],
    properties: { value: { type: 'number' }, description: { type: 'string' } },
  },
};

export class PoisonMessageRequest {
  @ApiProperty({ example: 'orders.order-created.v1', description: 'Topic to put an unparseable record on', pattern: TOPIC_NAME.source })
  @IsString()
  @Matches(TOPIC_NAME, { message: '$property must be a Kafka topic name (1-249 of a-z A-Z 0-9 . _ -)' })
  topic!: string;
}

@ApiTags('admin (failure injection, loopback only)')
@UseGuards(LoopbackOnlyGuard)
@ApiProblemResponses({ 403: 'admin-loopback-only: the caller is not on a loopback address' })
@Controller('admin/faults')
export class AdminController {
  constructor(
    private readonly faults: Faults,
    private readonly kafka: KafkaClients,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Current failure-injection switches' })
  @ApiOkResponse({ description: 'Each switch: value and description', schema: SWITCHES })
  current() {
    return this.faults.describe();
  }

  @Patch()
  @ApiOperation({ summary: 'Change switches, e.g. {"processorFailureRate": 0.5}; all or nothing' })
  @ApiBody({ schema: { type: 'object', additionalProperties: { type: 'number' } } })
  @ApiOkResponse({ description: 'The switches after the change', schema: SWITCHES })
  @ApiProblemResponses({ 400: 'validation: an unknown switch or a value out of its range (`errors` names each), or the body is not JSON' })
  change(@Body() changes: unknown) {
    const problems = this.faults.update(changes);
    if (problems) throw validationProblem(problems);
    this.logger.warn('failure injection changed', { faults: JSON.stringify(this.faults.describe()) });
    return this.faults.describe();
  }

  @Post('poison-message')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'Produced: topic, partition, offset and the trace id' })
  @ApiProblemResponses({
    400: 'validation: topic is missing or not a Kafka topic name, or the body is not JSON',
    422: 'unknown-topic: no such topic on the broker (errors.topic)',
  })
  @ApiOperation({ summary: 'Produce one unparseable record (with trace context) to a topic: its consumer sends it to the DLQ and goes on' })
  async poison(@Body() request: PoisonMessageRequest) {
    // Poison is for a topic a consumer reads. A missing one (a typo, or `.`) would otherwise become a
    // stray topic where the broker creates topics on demand, or a 500 after the producer's retries.
    if (!(await this.kafka.admin.listTopics()).includes(request.topic))
      throw ProblemException.of(422, 'unknown-topic', 'No such topic', `${request.topic} does not exist`, {
        errors: { topic: ['no such topic'] },
      });
    const [ack] = await this.kafka.producer.send({ topic: request.topic, messages: [{ key: 'poison', value: '{"this is": not json' }] });
    const traceId = trace.getActiveSpan()?.spanContext().traceId;
    this.logger.warn('poison message produced', { topic: request.topic, partition: ack?.partition, offset: ack?.baseOffset });
    return { topic: request.topic, partition: ack?.partition, offset: ack?.baseOffset, traceId };
  }
}
