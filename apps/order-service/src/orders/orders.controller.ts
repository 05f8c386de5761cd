import { Body, Controller, Get, Headers, Param, Post, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { tagRequestUser, uuidParam, validationProblem } from '@tracehop/service-kit';
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
  })
  @ApiCreatedResponse({ type: OrderView, description: 'Order stored as PENDING; payment follows asynchronously' })
  @ApiOkResponse({ type: OrderView, description: 'Replay of an earlier request with the same Idempotency-Key' })
  @ApiUnprocessableEntityResponse({ description: 'Unknown user, or Idempotency-Key reused with a different body (problem details)' })
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
  @ApiOkResponse({ type: OrderView })
  @ApiNotFoundResponse({ description: 'No such order (problem details)' })
  get(@Param('id', uuidParam('id')) id: string): Promise<OrderView> {
    return this.orders.get(id);
  }
}
