import { Module } from '@nestjs/common';
import { OrderConfirmedHandler } from './order-confirmed.handler';
import { UserConsumers } from './user-consumers';

@Module({ providers: [OrderConfirmedHandler, UserConsumers] })
export class OrderStatsModule {}
