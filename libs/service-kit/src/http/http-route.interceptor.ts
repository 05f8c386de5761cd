import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

/**
 * Gives the HTTP server span its route: the http instrumentation names the span `GET /users/:id`
 * and sets http.route from the request's RPC metadata when a framework fills it in. Nothing else in
 * our instrumentation set does that for Nest on Express, so server spans would be named `GET` only.
 */
@Injectable()
export class HttpRouteInterceptor implements NestInterceptor {
  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (execution.getType() === 'http') {
      const route: unknown = execution.switchToHttp().getRequest<Request>().route?.path;
      const metadata = getRPCMetadata(context.active());
      if (metadata?.type === RPCType.HTTP && typeof route === 'string') metadata.route = route;
    }
    return next.handle();
  }
}
