import { describe, it } from 'node:test';
import { expect } from 'expect';
import { nextRetryDelay, parseRetryAfter } from './retry-schedule.js';

describe('webhook retries', () => {
  it('backs off on the schedule with jitter, honours a longer Retry-After, and gives up after the last retry', () => {
    const schedule = [5000, 300_000];
    expect(nextRetryDelay(1, schedule, null, () => 0.5)).toBe(5000);
    expect(nextRetryDelay(1, schedule, null, () => 0)).toBe(4000);
    expect(nextRetryDelay(1, schedule, null, () => 1)).toBe(6000);
    expect(nextRetryDelay(2, schedule, null, () => 0.5)).toBe(300_000);
    expect(nextRetryDelay(3, schedule, null, () => 0.5)).toBeNull();
    expect(nextRetryDelay(1, schedule, 60_000, () => 0.5)).toBe(60_000);
    expect(nextRetryDelay(1, schedule, 1000, () => 0.5)).toBe(5000);
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});
