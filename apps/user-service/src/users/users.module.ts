import { Module } from '@nestjs/common';
import { UserMetrics } from './user-metrics';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({ controllers: [UsersController], providers: [UsersService, UserMetrics] })
export class UsersModule {}
