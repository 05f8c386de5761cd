import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@tracehop/service-kit';
import type { OrderServiceConfig } from '../config';
import { UserDirectory } from './user-directory';

@Module({
  imports: [
    HttpModule.registerAsync({
      inject: [SERVICE_CONFIG],
      // No redirects between our own services: axios then uses Node's http directly instead of
      // follow-redirects' wrapper, about 5 % of order-service's CPU under load (docs/performance.md).
      useFactory: (config: OrderServiceConfig) => ({
        baseURL: config.USER_SERVICE_URL,
        timeout: config.USER_SERVICE_TIMEOUT_MS,
        maxRedirects: 0,
      }),
    }),
  ],
  providers: [UserDirectory],
  // Orders are placed only for users user-service knows.
  exports: [UserDirectory],
})
export class UsersModule {}
