import { Test } from '@nestjs/testing';
import { loadOrderServiceConfig } from '../src/config';
import { OrderServiceModule } from '../src/order-service.module';

// Compiling instantiates every provider and controller without running lifecycle hooks, so nothing contacts the database or broker.
it('resolves every provider and controller of order-service (its feature modules wired together)', async () => {
  await expect(
    Test.createTestingModule({ imports: [OrderServiceModule.register(loadOrderServiceConfig({}))] }).compile(),
  ).resolves.toBeDefined();
});
