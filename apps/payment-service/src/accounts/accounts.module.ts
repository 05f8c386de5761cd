import { Module } from '@nestjs/common';
import { AccountConsumers } from './account-consumers';
import { UserRegisteredHandler } from './user-registered.handler';

@Module({ providers: [UserRegisteredHandler, AccountConsumers] })
export class AccountsModule {}
