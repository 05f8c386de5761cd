import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DATABASE } from '@tracehop/service-kit';
import type { Kysely } from 'kysely';
import type { PaymentDatabase } from '../database/schema';
import { PaymentsQuery, PaymentView } from './payment.view';

@ApiTags('payments')
@Controller('payments')
export class PaymentsController {
  constructor(@Inject(DATABASE) private readonly db: Kysely<PaymentDatabase>) {}

  @Get()
  @ApiOkResponse({ type: [PaymentView], description: 'Payments of the order (empty while it waits for payment)' })
  async list(@Query() query: PaymentsQuery): Promise<PaymentView[]> {
    const rows = await this.db.selectFrom('payment').selectAll().where('order_id', '=', query.orderId).orderBy('created_at').execute();
    return rows.map((row) => ({
      id: row.id,
      orderId: row.order_id,
      status: row.status,
      amountMinor: Number(row.amount_minor),
      currency: row.currency,
      reason: row.reason,
      createdAt: row.created_at.toISOString(),
    }));
  }
}
