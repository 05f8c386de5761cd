import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '@tracehop/service-kit';
import { PaymentsQuery, PaymentView } from './payment.view';
import { PaymentsService } from './payments.service';

@ApiTags('payments')
@Controller('payments')
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Get()
  @ApiOkResponse({ type: [PaymentView], description: 'Payments of the order (empty while it waits for payment)' })
  @ApiProblemResponses({ 400: 'validation: orderId is missing or not a UUID, or an unknown query parameter was sent' })
  list(@Query() query: PaymentsQuery): Promise<PaymentView[]> {
    return this.payments.listForOrder(query.orderId);
  }
}
