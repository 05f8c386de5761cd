// Preload entry: `node --require @tracehop/telemetry/register app.js` starts telemetry before the
// application loads Nest, kafkajs, pg or winston, so their instrumentations take effect.
import { startTelemetry } from './start';

startTelemetry();
