import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { ProblemException } from '../http/problem';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Admin routes answer loopback callers only, even when the service listens on other interfaces
 * (HOST=0.0.0.0 in a container): failure injection is for whoever sits at the machine.
 */
@Injectable()
export class LoopbackOnlyGuard implements CanActivate {
  canActivate(execution: ExecutionContext): boolean {
    const address = execution.switchToHttp().getRequest<Request>().socket.remoteAddress ?? '';
    if (LOOPBACK.has(address)) return true;
    throw ProblemException.of(403, 'admin-loopback-only', 'Admin endpoints answer loopback callers only');
  }
}
