import { Body, Controller, Get, Headers, Param, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiProblemResponses, tagRequestUser, UUID_SCHEMA, uuidParam, validationProblem } from '@tracehop/service-kit';
import { CreateOrderDto } from './create-order.dto';
import { OrderView } from './order.view';
import { OrdersService } from './orders.service';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

@ApiTags('orders')
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Retry-safe: the same key and body return the first order (200, Idempotent-Replayed: true) instead of a new one',
    schema: { type: 'string', pattern: IDEMPOTENCY_KEY.source },
  })
  @ApiCreatedResponse({ type: OrderView, description: 'Order stored as PENDING; payment follows asynchronously' })
  @ApiOkResponse({
    type: OrderView,
    description: 'Replay of an earlier request with the same Idempotency-Key',
    headers: { 'Idempotent-Replayed': { schema: { type: 'string', enum: ['true'] } } },
  })
  @ApiProblemResponses({
    400: 'validation: a body field is missing, invalid or unknown, or the Idempotency-Key is malformed (`errors` names each), or the body is not JSON',
    422: 'unknown-user: user-service does not know the user; or idempotency-key-reused: the key was used with a different body',
    503: 'user-service-unavailable: user-service is unreachable, too slow or answered neither 2xx nor 404',
  })
  async place(
    @Body() request: CreateOrderDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OrderView> {
    tagRequestUser(request.userId);
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw validationProblem({ 'Idempotency-Key': ['must be 1-200 visible ASCII characters'] });
    }
    const placed = await this.orders.place(request, idempotencyKey);
    if (placed.replayed) response.status(200).setHeader('Idempotent-Replayed', 'true');
    return placed.order;
  }

  @Get(':id')
  @ApiParam({ name: 'id', schema: UUID_SCHEMA })
  @ApiOkResponse({ type: OrderView })
  @ApiProblemResponses({ 400: 'validation: the id is not a UUID', 404: 'order-not-found: no such order' })
  get(@Param('id', uuidParam('id')) id: string): Promise<OrderView> {
    return this.orders.get(id);
  }
}
