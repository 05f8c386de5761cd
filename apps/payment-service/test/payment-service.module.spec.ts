import { Test } from '@nestjs/testing';
import { loadPaymentServiceConfig } from '../src/config';
import { PaymentServiceModule } from '../src/payment-service.module';

// Compiling instantiates every provider and controller without running lifecycle hooks, so nothing contacts the database or broker.
it('resolves every provider and controller of payment-service (its feature modules wired together)', async () => {
  await expect(
    Test.createTestingModule({ imports: [PaymentServiceModule.register(loadPaymentServiceConfig({}))] }).compile(),
  ).resolves.toBeDefined();
});
