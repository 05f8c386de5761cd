import { diag, type Span } from '@opentelemetry/api';
import { safeExecuteInTheMiddle } from '@opentelemetry/instrumentation';

/** Runs a user hook on a span; a throw is reported with diag and never reaches the application. */
export function runHook<Info>(name: string, hook: ((span: Span, info: Info) => void) | undefined, span: Span, info: Info): void {
  if (!hook) return;
  safeExecuteInTheMiddle(
    () => hook(span, info),
    (error) => error && diag.error(`tracehop kafka: ${name} threw; ignored`, error),
    true,
  );
}

/** Instruments a kafkajs object; if that fails, the object is left as kafkajs made it, untraced. */
export function instrumentOrLeave(what: string, instrument: () => void): void {
  try {
    instrument();
  } catch (error) {
    diag.error(`tracehop kafka: could not instrument a ${what}; it runs untraced`, error);
  }
}
