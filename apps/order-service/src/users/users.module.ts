import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@tracehop/service-kit';
import type { OrderServiceConfig } from '../config';
import { UserDirectory } from './user-directory';

@Module({
  imports: [
    HttpModule.registerAsync({
      inject: [SERVICE_CONFIG],
      useFactory: (config: OrderServiceConfig) => ({ baseURL: config.USER_SERVICE_URL, timeout: config.USER_SERVICE_TIMEOUT_MS }),
    }),
  ],
  providers: [UserDirectory],
  // Orders are placed only for users user-service knows.
  exports: [UserDirectory],
})
export class UsersModule {}
