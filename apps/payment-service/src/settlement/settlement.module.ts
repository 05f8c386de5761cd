import { Module } from '@nestjs/common';
import { SettlementConsumers } from './settlement-consumers';
import { SettleCompletedPayment, SettleFailedPayment } from './settlement-ledger';

@Module({ providers: [SettleCompletedPayment, SettleFailedPayment, SettlementConsumers] })
export class SettlementModule {}
