import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventConsumers } from '@tracehop/service-kit';
import { SettleCompletedPayment, SettleFailedPayment } from './settlement-ledger';

/** `payment-service.settlement`: a batch consumer writing the ledger, whose `poll` spans link to every payment record of the batch. */
@Injectable()
export class SettlementConsumers implements OnModuleInit {
  constructor(
    private readonly consumers: EventConsumers,
    private readonly settleCompleted: SettleCompletedPayment,
    private readonly settleFailed: SettleFailedPayment,
  ) {}

  onModuleInit(): void {
    this.consumers.register({
      groupId: 'payment-service.settlement',
      handlers: [this.settleCompleted, this.settleFailed],
      batch: true,
      transactionPerBatch: true,
    });
  }
}
