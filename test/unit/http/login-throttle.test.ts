import { describe, expect, it } from 'vitest';
import {
  LOGIN_MAX_FAILURES,
  LOGIN_WINDOW_MS,
  LoginThrottle,
} from '../../../src/http/login-throttle.js';

const NOW = Date.parse('2026-11-24T15:00:00Z');

describe('LoginThrottle', () => {
  it('blocks an address after the allowed failures until its window ends', () => {
    const throttle = new LoginThrottle();
    for (let count = 1; count < LOGIN_MAX_FAILURES; count += 1)
      throttle.recordFailure('10.0.0.1', NOW);
    expect(throttle.retryAfterMs('10.0.0.1', NOW + 10)).toBe(0);
    throttle.recordFailure('10.0.0.1', NOW + 10);
    expect(throttle.retryAfterMs('10.0.0.1', NOW + 10)).toBe(LOGIN_WINDOW_MS - 10);
    // Another address is not held back.
    expect(throttle.retryAfterMs('10.0.0.2', NOW + 10)).toBe(0);
    expect(throttle.retryAfterMs('10.0.0.1', NOW + LOGIN_WINDOW_MS - 1)).toBe(1);
    expect(throttle.retryAfterMs('10.0.0.1', NOW + LOGIN_WINDOW_MS)).toBe(0);
    // A failure after the window starts a new count.
    throttle.recordFailure('10.0.0.1', NOW + LOGIN_WINDOW_MS);
    expect(throttle.retryAfterMs('10.0.0.1', NOW + LOGIN_WINDOW_MS)).toBe(0);
  });

  it('forgets an address once it logs in', () => {
    const throttle = new LoginThrottle();
    for (let count = 0; count < LOGIN_MAX_FAILURES - 1; count += 1)
      throttle.recordFailure('10.0.0.1', NOW);
    throttle.recordSuccess('10.0.0.1');
    throttle.recordFailure('10.0.0.1', NOW);
    expect(throttle.retryAfterMs('10.0.0.1', NOW)).toBe(0);
  });
});
