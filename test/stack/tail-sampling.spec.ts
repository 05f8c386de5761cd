import { baselineThreshold } from '../../infra/stack/src/tail-sampling';

describe('the gateway baseline threshold (consistent probability: keep when R >= T)', () => {
  it('is T = round((1 - share) * 2^56) as 14 lowercase hex digits', () => {
    expect(baselineThreshold(100)).toBe('00000000000000');
    expect(baselineThreshold('50')).toBe('80000000000000');
    expect(baselineThreshold(10)).toBe('e6666666666666'); // the SDK's th:e666… at 10 %
    expect(baselineThreshold(1)).toBe('fd70a3d70a3d71');
  });

  it('keeps nothing at 0 %: every 14-digit hex string sorts below "g"', () => {
    expect(baselineThreshold(0)).toBe('g');
    expect('ffffffffffffff' < baselineThreshold(0)).toBe(true);
  });

  it('refuses a share outside 0-100', () => {
    expect(() => baselineThreshold(101)).toThrow();
    expect(() => baselineThreshold('ten')).toThrow();
  });
});
