/** `npm run test:unit`: the unit specs alone. No broker is chosen (the e2e global setup would start one where Docker runs). */
const { globalSetup: _setup, globalTeardown: _teardown, ...base } = require('./jest.config');

module.exports = { ...base, testMatch: ['<rootDir>/{test,libs/*/test,apps/*/test}/**/*.spec.ts'] };
