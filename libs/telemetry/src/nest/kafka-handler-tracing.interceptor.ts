import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { trace } from '@opentelemetry/api';
import type { Observable } from 'rxjs';
import { ATTR_TRACEHOP_NEST_HANDLER, ATTR_TRACEHOP_NEST_PATTERN } from '../attributes';

/**
 * Puts the Nest pattern and handler on the span a microservice handler runs in. With the kafkajs
 * instrumentation preloaded, Nest's Kafka transport calls handlers from inside each record's
 * `process <topic>` span, so @EventPattern and @MessagePattern handlers need no span of their own:
 * they get named on the one that is there. Register globally (app.useGlobalInterceptors) or per
 * controller (@UseInterceptors).
 */
@Injectable()
export class KafkaHandlerTracingInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'rpc') {
      try {
        const patterns: unknown = Reflect.getMetadata(PATTERN_METADATA, context.getHandler());
        const pattern = Array.isArray(patterns) ? patterns.map(String).join(',') : String(patterns ?? '');
        trace.getActiveSpan()?.setAttributes({
          [ATTR_TRACEHOP_NEST_PATTERN]: pattern,
          [ATTR_TRACEHOP_NEST_HANDLER]: `${context.getClass().name}.${context.getHandler().name}`,
        });
      } catch {
        // Naming the span is a nicety; the handler runs regardless.
      }
    }
    return next.handle();
  }
}
