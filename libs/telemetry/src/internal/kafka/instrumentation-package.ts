// Kept equal to package.json by test/kafka-instrumentation.spec.ts ("identity"). Not read from package.json at run time: the
// apps' `nest build` compiles this file to dist/libs/telemetry/src/…, where no package.json sits.

/** The instrumentation scope: spans carry it as otel.scope.name / otel.scope.version (package name and version). */
export const INSTRUMENTATION_NAME = '@tracehop/telemetry/kafkajs';
export const INSTRUMENTATION_VERSION = '0.1.0';

/** The kafkajs versions patched: package.json's kafkajs peer range, so npm and the instrumentation agree. */
export const SUPPORTED_KAFKAJS_VERSIONS = '^2.2.4';
