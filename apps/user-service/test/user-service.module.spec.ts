import { Test } from '@nestjs/testing';
import { loadUserServiceConfig } from '../src/config';
import { UserServiceModule } from '../src/user-service.module';

// Compiling instantiates every provider and controller without running lifecycle hooks, so nothing contacts the database or broker.
it('resolves every provider and controller of user-service (its feature modules wired together)', async () => {
  await expect(
    Test.createTestingModule({ imports: [UserServiceModule.register(loadUserServiceConfig({}))] }).compile(),
  ).resolves.toBeDefined();
});
